//! Secrets (the session token, API keys, the JWT secret, a database password)
//! in the OS keyring where one answers, else in a file only the user can read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use tasktalk_core::Secret;
use tasktalk_core::db::APP_IDENTIFIER;
use tasktalk_core::private;

use crate::error::{Error, Result};

pub const SESSION_TOKEN: &str = "session-token";
pub const JWT_SECRET: &str = "jwt-secret";
pub const BETTER_AUTH_SECRET: &str = "better-auth-secret";
pub const API_KEY: &str = "provider-api-key";
pub const DATABASE_PASSWORD: &str = "database-password";

const FILE_NAME: &str = "secrets.json";
/// A keyring daemon that does not answer in this time is treated as absent.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
const PROBE_VALUE: &str = "probe";

#[derive(Clone, Debug)]
pub enum Secrets {
    Keyring,
    File(PathBuf),
}

impl Secrets {
    /// The keyring if it stores and returns a value, else the file in
    /// `data_dir`; always the file when `try_keyring` is false.
    pub fn open(data_dir: &Path, try_keyring: bool) -> Self {
        let file = Secrets::File(data_dir.join(FILE_NAME));
        if !try_keyring {
            return file;
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let works = keyring::Entry::new(APP_IDENTIFIER, "probe").is_ok_and(|entry| probe(&entry));
            let _ = tx.send(works);
        });
        if rx.recv_timeout(PROBE_TIMEOUT).unwrap_or(false) {
            Secrets::Keyring
        } else {
            tracing::info!("no OS keyring answered; secrets go to a file readable only by this user");
            file
        }
    }

    /// `("keyring" | "file", where)`, for the settings page.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Secrets::Keyring => ("keyring", "the operating system's keyring".into()),
            Secrets::File(path) => ("file", format!("{} (readable only by you)", path.display())),
        }
    }

    pub fn get(&self, name: &str) -> Result<Option<Secret>> {
        match self {
            Secrets::Keyring => match off_runtime(|| keyring::Entry::new(APP_IDENTIFIER, name)?.get_password()) {
                Ok(value) => Ok(Some(Secret::new(value))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(err) => Err(Error::Secrets(err.to_string())),
            },
            Secrets::File(path) => Ok(read_file(path)?.remove(name).map(Secret::new)),
        }
    }

    pub fn set(&self, name: &str, value: &str) -> Result<()> {
        match self {
            Secrets::Keyring => off_runtime(|| keyring::Entry::new(APP_IDENTIFIER, name)?.set_password(value))
                .map_err(|e| Error::Secrets(e.to_string())),
            Secrets::File(path) => {
                let mut all = read_file(path)?;
                all.insert(name.to_owned(), value.to_owned());
                write_file(path, &all)
            }
        }
    }

    pub fn delete(&self, name: &str) -> Result<()> {
        match self {
            Secrets::Keyring => match off_runtime(|| keyring::Entry::new(APP_IDENTIFIER, name)?.delete_credential()) {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(err) => Err(Error::Secrets(err.to_string())),
            },
            Secrets::File(path) => {
                let mut all = read_file(path)?;
                if all.remove(name).is_some() {
                    write_file(path, &all)?;
                }
                Ok(())
            }
        }
    }

    /// The stored value, or a new random one stored first (the JWT secret).
    pub fn get_or_create(&self, name: &str) -> Result<Secret> {
        if let Some(existing) = self.get(name)? {
            return Ok(existing);
        }
        let mut bytes = [0u8; 32];
        tasktalk_core::random::fill(&mut bytes);
        let value = hex::encode(bytes);
        self.set(name, &value)?;
        Ok(Secret::new(value))
    }
}

/// Whether the keyring stores, returns and deletes a value. The entry is
/// deleted whatever happened before: a write can succeed and the read fail.
fn probe(entry: &keyring::Entry) -> bool {
    let works = entry
        .set_password(PROBE_VALUE)
        .and_then(|()| entry.get_password())
        .is_ok_and(|value| value == PROBE_VALUE);
    match entry.delete_credential() {
        Ok(()) => works,
        Err(keyring::Error::NoEntry) => false,
        Err(err) => {
            tracing::warn!(error = %err, "the keyring kept its test entry; secrets go to the private file");
            false
        }
    }
}

/// Runs a keyring call on a thread of its own: the secret-service backend
/// drives its own async runtime, which must not start inside tokio's.
fn off_runtime<T: Send>(call: impl FnOnce() -> keyring::Result<T> + Send) -> keyring::Result<T> {
    std::thread::scope(|scope| {
        scope
            .spawn(call)
            .join()
            .unwrap_or_else(|_| Err(keyring::Error::PlatformFailure("keyring call panicked".into())))
    })
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|_| {
            Error::Secrets(format!(
                "{} is not valid JSON; move it away to start over",
                path.display()
            ))
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(err) => Err(Error::Secrets(format!("could not read {}: {err}", path.display()))),
    }
}

/// Writes a temporary file with owner-only permissions (also when one was
/// left behind with others), then renames it over the old one, so a crash
/// never leaves half a file.
fn write_file(path: &Path, all: &BTreeMap<String, String>) -> Result<()> {
    let fail = |err: std::io::Error| Error::Secrets(format!("could not write {}: {err}", path.display()));
    if let Some(dir) = path.parent() {
        private::create_dir(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("json.tmp");
    private::ensure_file(&tmp).map_err(fail)?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&tmp)
        .map_err(fail)?;
    serde_json::to_writer_pretty(&file, all).map_err(|e| Error::Secrets(e.to_string()))?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A keyring entry in memory that can fail its read, and shows what is left in it.
    #[derive(Debug, Default)]
    struct Stored {
        value: Mutex<Option<Vec<u8>>>,
        fail_read: bool,
    }

    #[derive(Debug)]
    struct Credential(Arc<Stored>);

    impl keyring::credential::CredentialApi for Credential {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            *self.0.value.lock().unwrap_or_else(|e| e.into_inner()) = Some(secret.to_vec());
            Ok(())
        }

        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            if self.0.fail_read {
                return Err(keyring::Error::PlatformFailure("locked".into()));
            }
            self.0
                .value
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .ok_or(keyring::Error::NoEntry)
        }

        fn delete_credential(&self) -> keyring::Result<()> {
            self.0
                .value
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .map(drop)
                .ok_or(keyring::Error::NoEntry)
        }

        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    #[test]
    fn the_keyring_probe_leaves_no_entry_even_when_it_fails_midway() {
        for fail_read in [false, true] {
            let stored = Arc::new(Stored {
                fail_read,
                ..Stored::default()
            });
            let entry = keyring::Entry::new_with_credential(Box::new(Credential(Arc::clone(&stored))));
            assert_eq!(probe(&entry), !fail_read);
            assert_eq!(
                *stored.value.lock().unwrap_or_else(|e| e.into_inner()),
                None,
                "the probe's value is deleted (read fails: {fail_read})"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_secrets_file_is_private_even_over_a_readable_leftover() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(FILE_NAME);
        // A temporary file left readable by a crash or another tool.
        std::fs::write(path.with_extension("json.tmp"), "{}").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(path.with_extension("json.tmp"), std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        Secrets::File(path.clone())
            .set(API_KEY, "sk-private")
            .unwrap_or_else(|e| panic!("{e}"));
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode()).unwrap_or(0);
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn the_file_store_keeps_values_private_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Secrets::File(dir.path().join(FILE_NAME));
        assert_eq!(store.get(SESSION_TOKEN).ok().flatten(), None);
        store.set(SESSION_TOKEN, "tok-123").unwrap_or_else(|e| panic!("{e}"));
        let jwt = store.get_or_create(JWT_SECRET).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(jwt.expose().len(), 64);
        let reopened = Secrets::File(dir.path().join(FILE_NAME));
        assert_eq!(
            reopened
                .get(SESSION_TOKEN)
                .ok()
                .flatten()
                .map(|s| s.expose().to_owned()),
            Some("tok-123".into())
        );
        assert_eq!(reopened.get_or_create(JWT_SECRET).ok(), Some(jwt), "created once");
        reopened.delete(SESSION_TOKEN).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reopened.get(SESSION_TOKEN).ok().flatten(), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
