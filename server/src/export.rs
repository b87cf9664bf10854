//! `export` and `import`: one user's data as a file and back, by email.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use tasktalk_core::auth::Accounts;
use tasktalk_core::export::{self, Document, Progress, Transfer, markdown};
use tasktalk_core::private;

use crate::failure::Failure;
use crate::options::GlobalOptions;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    /// Everything, as the versioned document `import` reads.
    Json,
    /// The conversations, for reading.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Only this conversation (its thread id); in JSON, without the tasks.
    #[arg(long)]
    pub conversation: Option<String>,
    /// Write to this file (owner-only, replaced whole) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(long)]
    pub email: String,
    /// A file written by `export` (JSON), or - for stdin.
    pub file: PathBuf,
}

pub async fn export(options: &GlobalOptions, args: ExportArgs) -> Result<(), Failure> {
    let db = options.database().await?;
    let user = Accounts::new(db.clone(), options.auth_config())
        .user_by_email(&args.email)
        .await?;
    let transfer = Transfer::new(db);
    let (tasks, conversations) = match &args.conversation {
        Some(id) => (Vec::new(), vec![transfer.export_conversation(&user.id, id).await?]),
        None => {
            let document = transfer.export(&user.id, &progress_line("exporting")).await?;
            (document.tasks, document.conversations)
        }
    };
    let bytes = match args.format {
        ExportFormat::Json => Document::new(tasks, conversations).to_json()?,
        ExportFormat::Markdown => markdown::conversations(&conversations, &options.calendar()?).into_bytes(),
    };
    match &args.output {
        Some(path) => private::write_atomically(path, &bytes)
            .map_err(|e| Failure::Refused(format!("could not write {}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

pub async fn import(options: &GlobalOptions, args: ImportArgs) -> Result<(), Failure> {
    let file = read_bounded(&args.file)?;
    let db = options.database().await?;
    let user = Accounts::new(db.clone(), options.auth_config())
        .user_by_email(&args.email)
        .await?;
    let summary = Transfer::new(db)
        .import(&user.id, &file, &progress_line("importing"))
        .await?;
    let line =
        serde_json::to_string(&summary).map_err(|e| Failure::Refused(format!("could not encode the summary: {e}")))?;
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(())
}

/// The file, or stdin for `-`; refused unread past the size an import takes.
fn read_bounded(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = if path.as_os_str() == "-" {
        export::read_bounded(std::io::stdin().lock())
    } else {
        std::fs::File::open(path).and_then(export::read_bounded)
    };
    bytes.map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => export::Error::TooLarge.into(),
        _ => Failure::Refused(format!("could not read {}: {e}", path.display())),
    })
}

/// `importing 1200/5000` on one line of stderr, rewritten in place, when
/// stderr is a terminal; nothing otherwise, so logs and pipes stay clean.
fn progress_line(verb: &'static str) -> impl Fn(Progress) + Send + Sync {
    let terminal = std::io::stderr().is_terminal();
    move |Progress { done, total }| {
        if !terminal {
            return;
        }
        let end = if done == total { "\n" } else { "" };
        let _ = write!(std::io::stderr().lock(), "\r{verb} {done}/{total}{end}");
    }
}
