//! The export document, version 1:
//!
//! ```json
//! {"format": "tasktalk-export", "version": 1, "exported_at": "2026-12-02T10:30:00.000Z",
//!  "tasks": [{"id": 7, "title": "buy milk", "description": null, "completed": false,
//!             "created_at": "…", "updated_at": "…", "due_at": null, "due_all_day": false,
//!             "priority": "none", "remind_at": null, "reminded_at": null, "completed_at": null}],
//!  "conversations": [{"id": "thr_…", "source_id": null, "title": "…", "created_at": "…",
//!                     "updated_at": "…", "metadata": {}, "items": [<ChatKit thread items as stored>]}]}
//! ```
//!
//! A reader checks `format` and `version` before anything else, so a file
//! of another kind or a newer version is named as such, not as malformed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Error, MAX_CONVERSATIONS, MAX_FILE_BYTES, MAX_ITEMS, MAX_TASKS, Result};
use crate::chatkit::store::ThreadRecord;
use crate::chatkit::types::ThreadItem;
use crate::tasks::TaskRecord;
use crate::timestamp::Timestamp;

pub const FORMAT: &str = "tasktalk-export";
pub const VERSION: u64 = 1;
/// How much of a parser's message an error repeats.
const DETAIL_MAX_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub format: String,
    pub version: u64,
    pub exported_at: Timestamp,
    pub tasks: Vec<TaskRecord>,
    pub conversations: Vec<Conversation>,
}

/// A ChatKit thread with every item, hidden ones included. `id` is its
/// thread id where it was exported; `source_id`, the id it was first given,
/// when it had been imported there. `metadata` is not stored by this version
/// (always `{}` out, ignored in).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    #[serde(default)]
    pub source_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub metadata: serde_json::Map<String, Value>,
    pub items: Vec<ThreadItem>,
}

impl Conversation {
    pub(super) fn new(record: ThreadRecord, items: Vec<ThreadItem>) -> Self {
        Self {
            id: record.row.id,
            source_id: record.source_id,
            title: record.row.title,
            created_at: record.row.created_at,
            updated_at: record.updated_at,
            metadata: serde_json::Map::new(),
            items,
        }
    }

    /// The id that names this conversation wherever it travels: the one it was first given.
    pub(super) fn origin_id(&self) -> &str {
        self.source_id.as_deref().unwrap_or(&self.id)
    }
}

/// Just what says which kind of file this is; every other field is skipped unread.
#[derive(Deserialize)]
struct Header {
    format: Option<Value>,
    version: Option<Value>,
}

impl Document {
    pub fn new(tasks: Vec<TaskRecord>, conversations: Vec<Conversation>) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at: Timestamp::now(),
            tasks,
            conversations,
        }
    }

    /// The JSON of the file, compact (it is for machines; Markdown is for people).
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(self).map_err(|_| Error::Corrupt)?;
        if json.len() > MAX_FILE_BYTES {
            return Err(Error::ExportTooLarge(format!(
                "it would take {} bytes, over the {MAX_FILE_BYTES} an import reads",
                json.len()
            )));
        }
        Ok(json)
    }

    /// Reads a file: its size, then its kind and version, then all of it.
    pub fn parse(file: &[u8]) -> Result<Self> {
        if file.len() > MAX_FILE_BYTES {
            return Err(Error::TooLarge);
        }
        let header: Header = serde_json::from_slice(file).map_err(|e| invalid_json(&e))?;
        match header.format {
            Some(Value::String(format)) if format == FORMAT => {}
            Some(_) => return Err(Error::Invalid(format!("its \"format\" is not \"{FORMAT}\"."))),
            None => return Err(Error::Invalid(format!("it has no \"format\": \"{FORMAT}\"."))),
        }
        match header.version {
            Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
            Some(Value::Number(n)) => return Err(Error::UnknownVersion(shown(&n.to_string()))),
            _ => return Err(Error::Invalid("it has no numeric \"version\".".into())),
        }
        let document: Document = serde_json::from_slice(file).map_err(|e| invalid_json(&e))?;
        document.check_limits().map_err(Error::Invalid)?;
        Ok(document)
    }

    /// The counts an import accepts; what is over them, in words.
    pub(super) fn check_limits(&self) -> std::result::Result<(), String> {
        let items: usize = self.conversations.iter().map(|c| c.items.len()).sum();
        for (what, count, max) in [
            ("tasks", self.tasks.len(), MAX_TASKS),
            ("conversations", self.conversations.len(), MAX_CONVERSATIONS),
            ("conversation items", items, MAX_ITEMS),
        ] {
            if count > max {
                return Err(format!("it holds {count} {what}; at most {max} are read."));
            }
        }
        Ok(())
    }
}

fn invalid_json(err: &serde_json::Error) -> Error {
    Error::Invalid(shown(&err.to_string()))
}

/// A parser's message quotes the file: shown with its control characters
/// escaped and cut short, so a hostile file cannot drive a terminal or fill
/// a log through it.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(DETAIL_MAX_CHARS)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_debug().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.chars().count() > DETAIL_MAX_CHARS {
        out.push('…');
    }
    out
}
