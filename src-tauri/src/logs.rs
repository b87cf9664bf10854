//! The log: stderr and a size-rotated file, `tasktalk.log`, in the
//! platform's log folder (`<TASKTALK_DATA_DIR>/logs` when that is set), for
//! people to attach to a bug report.
//!
//! One path for everything: the desktop binary installs no tracing
//! subscriber, so tracing's `log` feature turns each `tracing` event of the
//! app and the core into a `log` record, and tauri-plugin-log's logger
//! writes those and the records of the libraries that use `log` (Tauri, tao,
//! wry) with its own size rotation. A tracing-subscriber file layer would
//! have needed another crate for size rotation and a bridge for the `log`
//! records.
//!
//! Detail: `RUST_LOG` when it is set (env_logger's syntax; it wins), else the
//! `logLevel` setting for Tasktalk's own crates with every other crate at
//! `warn`. Secrets never reach a log call (their type hides them; the
//! settings update that carries them is never logged): tests/commands.rs
//! logs at trace while they go through and looks for them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use env_filter::Filter;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_log::{RotationStrategy, Target, TargetKind};

/// The file's name without `.log`; older ones are `tasktalk_<UTC time>.log`.
const FILE: &str = "tasktalk";
/// A file is rotated before it grows past this...
const MAX_FILE_BYTES: u128 = 2 * 1024 * 1024;
/// ...and this many files are kept, the current one included: at most 8 MiB.
const FILES_KEPT: usize = 4;
/// The folder under `TASKTALK_DATA_DIR` when that is set.
const SUBFOLDER: &str = "logs";
/// What the crates that are not Tasktalk's log when `RUST_LOG` is not set.
const OTHERS: &str = "warn";
const OURS: [&str; 2] = ["tasktalk", "tasktalk_core"];

/// How much Tasktalk writes to its log (the setting).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn directive(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// The filter for `RUST_LOG` when set (and valid), else for the setting.
fn filter(rust_log: Option<&str>, level: LogLevel) -> Filter {
    if let Some(spec) = rust_log.filter(|spec| !spec.trim().is_empty())
        && let Ok(builder) = env_filter::Builder::new().try_parse(spec)
    {
        return builder.build();
    }
    let ours = OURS.map(|target| format!("{target}={}", level.directive())).join(",");
    env_filter::Builder::new()
        .try_parse(&format!("{OTHERS},{ours}"))
        .map(env_filter::Builder::build)
        .unwrap_or_else(|_| env_filter::Builder::new().build())
}

fn rust_log() -> Option<String> {
    std::env::var("RUST_LOG").ok()
}

/// The logs folder and the filter in use, kept as app state.
#[derive(Debug)]
pub struct Logs {
    pub folder: PathBuf,
    filter: Arc<RwLock<Filter>>,
    /// Whether the process's logger is this one (not on the mock runtime,
    /// whose tests may have their own).
    started: AtomicBool,
}

impl Logs {
    /// Where the log goes: `<data_dir>/logs` for a data folder given at
    /// launch, else the platform's log folder.
    pub fn new<R: Runtime>(app: &AppHandle<R>, data_dir: Option<&Path>) -> tauri::Result<Self> {
        let folder = match data_dir {
            Some(dir) => dir.join(SUBFOLDER),
            None => app.path().app_log_dir()?,
        };
        Ok(Self {
            folder,
            filter: Arc::new(RwLock::new(filter(rust_log().as_deref(), LogLevel::default()))),
            started: AtomicBool::new(false),
        })
    }

    /// Makes this the process's logger: the rotated file and stderr, or
    /// stderr alone when the folder cannot be written.
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>) {
        // Private, as the data folder that holds it on Linux: the plugin
        // would make it readable by every account.
        let created = tasktalk_core::private::create_dir(&self.folder).map_err(tauri_plugin_log::Error::from);
        let (logger, failed) = match created.and_then(|()| self.logger(app, Some(&self.folder), true)) {
            Ok(logger) => (Some(logger), None),
            Err(err) => (self.logger(app, None, true).ok(), Some(err)),
        };
        // Setting fails only when a logger is already set.
        if let Some(logger) = logger
            && log::set_boxed_logger(Box::new(logger)).is_ok()
        {
            self.started.store(true, Ordering::Release);
            log::set_max_level(self.max_level());
        }
        if let Some(err) = failed {
            tracing::warn!(folder = %self.folder.display(), error = %err, "no log file: logging to stderr only");
        }
    }

    /// The plugin's logger writing to the file in `folder` (if any) and stderr (if asked).
    fn logger<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        folder: Option<&Path>,
        stderr: bool,
    ) -> Result<Filtered, tauri_plugin_log::Error> {
        let mut targets = Vec::new();
        if stderr {
            targets.push(Target::new(TargetKind::Stderr));
        }
        if let Some(folder) = folder {
            targets.push(Target::new(TargetKind::Folder {
                path: folder.to_path_buf(),
                file_name: Some(FILE.into()),
            }));
        }
        // The plugin part (a command for the web view's own logging) is left
        // out: the web views may not call it.
        let (_plugin, _max, inner) = tauri_plugin_log::Builder::new()
            .targets(targets)
            .max_file_size(MAX_FILE_BYTES)
            // The plugin's count leaves out the current file.
            .rotation_strategy(RotationStrategy::KeepSome(FILES_KEPT - 1))
            .split(app)?;
        Ok(Filtered {
            filter: Arc::clone(&self.filter),
            inner,
        })
    }

    /// Applies the `logLevel` setting, unless `RUST_LOG` decides.
    pub fn set_level(&self, level: LogLevel) {
        if let Ok(mut filter) = self.filter.write() {
            *filter = self::filter(rust_log().as_deref(), level);
        }
        if self.started.load(Ordering::Acquire) {
            log::set_max_level(self.max_level());
        }
    }

    fn max_level(&self) -> log::LevelFilter {
        self.filter.read().map(|f| f.filter()).unwrap_or(log::LevelFilter::Warn)
    }
}

/// The plugin's logger behind a filter the settings can change.
struct Filtered {
    filter: Arc<RwLock<Filter>>,
    inner: Box<dyn log::Log>,
}

impl log::Log for Filtered {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.filter.read().is_ok_and(|f| f.enabled(metadata)) && self.inner.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.filter.read().is_ok_and(|f| f.matches(record)) {
            self.inner.log(record);
        }
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use log::{Level, Log, Record};

    use super::*;

    fn enabled(filter: &Filter, target: &str, level: Level) -> bool {
        filter.enabled(&log::Metadata::builder().target(target).level(level).build())
    }

    #[test]
    fn the_setting_sets_tasktalks_detail_and_other_crates_stay_at_warn() {
        let debug = filter(None, LogLevel::Debug);
        assert!(enabled(&debug, "tasktalk_core::agent", Level::Debug));
        assert!(enabled(&debug, "tasktalk::reminders", Level::Debug));
        assert!(!enabled(&debug, "tasktalk_core::agent", Level::Trace));
        assert!(!enabled(&debug, "sqlx::query", Level::Info));
        assert!(enabled(&debug, "tao::platform", Level::Warn));
        let error = filter(None, LogLevel::Error);
        assert!(!enabled(&error, "tasktalk_core::db", Level::Warn));
        assert!(enabled(&error, "tasktalk_core::db", Level::Error));
    }

    #[test]
    fn rust_log_wins_over_the_setting_unless_it_is_empty_or_invalid() {
        let traced = filter(Some("sqlx=trace,tasktalk_core=error"), LogLevel::Debug);
        assert!(enabled(&traced, "sqlx::query", Level::Trace));
        assert!(!enabled(&traced, "tasktalk_core::agent", Level::Warn));
        for ignored in ["", "  ", "tasktalk=loud,=="] {
            let setting = filter(Some(ignored), LogLevel::Debug);
            assert!(enabled(&setting, "tasktalk_core::agent", Level::Debug), "{ignored:?}");
            assert!(!enabled(&setting, "sqlx::query", Level::Info), "{ignored:?}");
        }
    }

    /// The folder's files: (name, size).
    fn files(folder: &Path) -> Vec<(String, u64)> {
        let mut found: Vec<_> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            e.metadata().map(|m| m.len()).unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }

    #[test]
    fn the_file_is_rotated_by_size_and_only_a_few_are_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let app = tauri::test::mock_app();
        let logs = Logs::new(app.handle(), Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(logs.folder, dir.path().join("logs"));
        // Whatever RUST_LOG the test runs with.
        *logs.filter.write().unwrap_or_else(|e| panic!("{e}")) = filter(None, LogLevel::Info);
        let logger = logs
            .logger(app.handle(), Some(&logs.folder), false)
            .unwrap_or_else(|e| panic!("{e}"));
        let write = |level: Level, text: &str| {
            logger.log(
                &Record::builder()
                    .target("tasktalk_core::test")
                    .level(level)
                    .args(format_args!("{text}"))
                    .build(),
            );
        };
        write(Level::Debug, "below the level: not written");
        write(Level::Info, "the first line");
        let first = std::fs::read_to_string(dir.path().join("logs/tasktalk.log")).unwrap_or_default();
        assert!(
            first.contains("the first line") && !first.contains("below the level"),
            "{first}"
        );

        // Each line fills more than half a file, so each one rotates; one a
        // second, as rotated files are named to the second.
        let line = "x".repeat(MAX_FILE_BYTES as usize * 3 / 5);
        for _ in 0..FILES_KEPT + 1 {
            std::thread::sleep(std::time::Duration::from_millis(1050));
            write(Level::Warn, &line);
        }
        let kept = files(&dir.path().join("logs"));
        let names: Vec<&str> = kept.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names.len(), FILES_KEPT, "{kept:?}");
        assert!(names.contains(&"tasktalk.log"), "{kept:?}");
        assert!(
            names
                .iter()
                .all(|name| name.starts_with("tasktalk") && name.ends_with(".log")),
            "{kept:?}"
        );
        for (name, size) in &kept {
            assert!(*size <= MAX_FILE_BYTES as u64, "{name} has {size} bytes");
        }
    }
}
