//! The quick-add window's one command: a line of plain language becomes
//! tasks through the offline assistant, the same reading as the chat's
//! ("call mom tomorrow at 5pm", "pay rent by the 1st, high priority"),
//! whichever provider the chat itself uses.

use std::sync::Arc;

use chrono::NaiveDateTime;
use futures_util::StreamExt;
use serde::Serialize;
use tasktalk_core::agent::providers::offline::{Decision, plan};
use tasktalk_core::agent::tools::ADD_TASK;
use tasktalk_core::agent::{Agent, AgentEvent, ChatMessage, OfflineAssistant};
use tasktalk_core::tasks;
use tauri::{AppHandle, Runtime, State};

use super::tasks::signed_in;
use super::tasks_changed;
use crate::error::{Error, Result};
use crate::state::AppState;

/// One line, not a letter: the window has a single-line field.
pub const MAX_LINE: usize = 500;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct QuickAdded {
    /// How many tasks the line added.
    added: u32,
    /// The assistant's answer, e.g. `Added "call mom" (due tomorrow at 17:00).`
    reply: String,
}

/// Whether the offline assistant reads `line` as adding tasks and nothing else.
fn only_adds(line: &str, now: NaiveDateTime) -> bool {
    match plan(&[ChatMessage::user(line)], now) {
        Decision::CallTools(calls) => !calls.is_empty() && calls.iter().all(|call| call.name == ADD_TASK),
        Decision::Reply(_) | Decision::Ask { .. } => false,
    }
}

/// Adds what `text` says. A line the assistant would read as something else
/// ("done with the report" would complete a task) is read as "add …": this
/// window only ever adds.
#[tauri::command]
pub async fn quick_add<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, text: String) -> Result<QuickAdded> {
    let line = text.trim();
    if line.is_empty() {
        return Err(tasks::Error::InvalidTitle.into());
    }
    if line.chars().count() > MAX_LINE {
        return Err(tasks::Error::InvalidRequest(format!(
            "Quick add takes one line of at most {MAX_LINE} characters."
        ))
        .into());
    }
    let (backend, user) = signed_in(&state).await?;
    // The app's calendar (zone and clock), as the chat's offline assistant
    // reads dates against it.
    let calendar = *backend.services.tasks.calendar();
    let message = if only_adds(line, calendar.local_now()) {
        line.to_owned()
    } else {
        format!("add {line}")
    };
    let agent = Agent::new(
        Arc::new(OfflineAssistant::new(calendar)),
        backend.services.tasks.clone(),
    );
    let mut events = std::pin::pin!(agent.run(user, vec![ChatMessage::user(message)]));
    let (mut added, mut reply) = (0, String::new());
    while let Some(event) = events.next().await {
        match event {
            Ok(AgentEvent::TextDelta(text)) => reply.push_str(&text),
            Ok(AgentEvent::ToolFinished(call, outcome)) if call.name == ADD_TASK && outcome.succeeded => added += 1,
            Ok(_) => {}
            Err(err) => return Err(Error::Assistant(err.message)),
        }
    }
    if added > 0 {
        tasks_changed(&app);
    }
    Ok(QuickAdded {
        added,
        reply: reply.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::only_adds;

    #[test]
    fn only_a_line_that_adds_is_sent_as_it_is() {
        let now = NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap_or_default();
        assert!(only_adds("add buy milk", now));
        assert!(only_adds("remind me to call mom tomorrow at 5pm", now));
        assert!(!only_adds("done with the report", now), "would complete a task");
        assert!(!only_adds("what is still open?", now), "would list");
        assert!(!only_adds("delete 3", now));
    }
}
