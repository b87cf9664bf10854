//! Settings → Data and the chat's "Export as Markdown": the signed-in
//! user's tasks and conversations out to a file and back in. The file is
//! always the one the person picks in a native dialog opened here: a script
//! in the web view can start an export or an import, but cannot choose what
//! is written where or what is read.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tasktalk_core::export::{self, Progress, Summary, Transfer, markdown};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use super::tasks::signed_in;
use super::tasks_changed;
use crate::dialogs::{FileChoice, FileKind};
use crate::error::{Error, Result};
use crate::state::AppState;

/// What Settings → Data exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    /// Everything, as the versioned document an import reads.
    Json,
    /// Every conversation, for reading.
    Markdown,
}

/// Where an export was written.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    path: String,
    #[cfg_attr(test, ts(type = "number"))]
    bytes: u64,
}

/// Exports everything of the signed-in user's into a file picked in the
/// save dialog, reporting progress on `progress`. `None`: the dialog was
/// closed and nothing was written.
#[tauri::command]
pub async fn data_export(
    state: State<'_, AppState>,
    format: ExportFormat,
    progress: Channel<Progress>,
) -> Result<Option<Exported>> {
    let _one_at_a_time = state.transferring.try_lock().map_err(|_| Error::Busy)?;
    let (backend, user) = signed_in(&state).await?;
    let (kind, name) = match format {
        ExportFormat::Json => (FileKind::Json, "tasktalk-export"),
        ExportFormat::Markdown => (FileKind::Markdown, "tasktalk-conversations"),
    };
    let today = backend.services.tasks.calendar().today();
    let choice = FileChoice::Save {
        title: "Export your Tasktalk data",
        kind,
        suggested_name: format!("{name}-{today}.{}", kind.extension()),
    };
    let Some(path) = state.dialogs.files.ask(&choice).await else {
        return Ok(None);
    };
    let report = |p: Progress| {
        // The UI may have gone (a reload): the export goes on.
        let _ = progress.send(p);
    };
    let document = Transfer::new(backend.services.db.clone())
        .export(&user, &report)
        .await?;
    let bytes = match format {
        ExportFormat::Json => document.to_json()?,
        ExportFormat::Markdown => {
            markdown::conversations(&document.conversations, backend.services.tasks.calendar()).into_bytes()
        }
    };
    write(&path, &bytes).map(Some)
}

/// One conversation as Markdown, into a file picked in the save dialog.
#[tauri::command]
pub async fn data_export_conversation(state: State<'_, AppState>, thread_id: String) -> Result<Option<Exported>> {
    let _one_at_a_time = state.transferring.try_lock().map_err(|_| Error::Busy)?;
    let (backend, user) = signed_in(&state).await?;
    let conversation = Transfer::new(backend.services.db.clone())
        .export_conversation(&user, &thread_id)
        .await?;
    let title = conversation.title.as_deref().unwrap_or_default();
    let choice = FileChoice::Save {
        title: "Export the conversation as Markdown",
        kind: FileKind::Markdown,
        suggested_name: format!("{}.{}", file_stem(title), FileKind::Markdown.extension()),
    };
    let Some(path) = state.dialogs.files.ask(&choice).await else {
        return Ok(None);
    };
    let text = markdown::conversation(&conversation, backend.services.tasks.calendar());
    write(&path, text.as_bytes()).map(Some)
}

/// Adds what an export file picked in the open dialog holds to the
/// signed-in user's account: all of it or, refused with the reason, none.
/// `None`: the dialog was closed.
#[tauri::command]
pub async fn data_import<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    progress: Channel<Progress>,
) -> Result<Option<Summary>> {
    let _one_at_a_time = state.transferring.try_lock().map_err(|_| Error::Busy)?;
    let (backend, user) = signed_in(&state).await?;
    let choice = FileChoice::Open {
        title: "Import a Tasktalk export",
        kind: FileKind::Json,
    };
    let Some(path) = state.dialogs.files.ask(&choice).await else {
        return Ok(None);
    };
    let file = std::fs::File::open(&path)
        .and_then(export::read_bounded)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::FileTooLarge => Error::Transfer(export::Error::TooLarge),
            _ => Error::File(format!("could not read {}: {e}", path.display())),
        })?;
    let report = |p: Progress| {
        let _ = progress.send(p);
    };
    let summary = Transfer::new(backend.services.db.clone())
        .import(&user, &file, &report)
        .await?;
    if summary.tasks_added > 0 {
        tasks_changed(&app);
    }
    Ok(Some(summary))
}

/// Writes the whole file or nothing, owner-only: an export holds everything
/// the person wrote.
fn write(path: &Path, bytes: &[u8]) -> Result<Exported> {
    tasktalk_core::private::write_atomically(path, bytes)
        .map_err(|e| Error::File(format!("could not write {}: {e}", path.display())))?;
    tracing::info!(bytes = bytes.len(), "exported to a file");
    Ok(Exported {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    })
}

/// A file name from a conversation's title: letters, digits, spaces and
/// dashes, at most 60 characters; "conversation" when nothing is left.
fn file_stem(title: &str) -> String {
    let kept: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' { c } else { ' ' })
        .collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let mut stem = String::new();
    for word in words {
        if stem.chars().count() + word.chars().count() + 1 > 60 {
            break;
        }
        if !stem.is_empty() {
            stem.push(' ');
        }
        stem.push_str(word);
    }
    if stem.is_empty() {
        "conversation".to_owned()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_names_keep_the_titles_words_and_nothing_a_file_system_reads_as_a_path() {
        assert_eq!(file_stem("Groceries for Sunday"), "Groceries for Sunday");
        assert_eq!(file_stem("../../etc/passwd"), "etc passwd");
        assert_eq!(file_stem("a:b*c?\"<>|\\d"), "a b c d");
        assert_eq!(file_stem("Café — plans"), "Café plans");
        assert_eq!(file_stem("   "), "conversation");
        assert_eq!(file_stem("..."), "conversation");
        let long = "word ".repeat(40);
        assert!(file_stem(&long).chars().count() <= 60);
    }
}
