//! Conversations as Markdown for people: a heading per conversation, its
//! times, then each turn as "You:" or "Assistant:" with its text, and each
//! tool step in one italic line. Hidden notes and turn ends are left out.
//! Times are wall times in the calendar's zone, named once per conversation.

use std::fmt::Write;

use super::document::Conversation;
use crate::calendar::Calendar;
use crate::chatkit::types::ItemKind;
use crate::timestamp::Timestamp;

/// One conversation.
pub fn conversation(conversation: &Conversation, calendar: &Calendar) -> String {
    let mut out = String::new();
    let title = conversation.title.as_deref().unwrap_or("Untitled conversation");
    let _ = writeln!(out, "# {}\n", text(title));
    let _ = writeln!(
        out,
        "Started {}, last updated {} ({}).\n",
        calendar.format_local(conversation.created_at),
        calendar.format_local(conversation.updated_at),
        calendar.zone_name()
    );
    for item in &conversation.items {
        let at = Timestamp::parse_rfc3339(&item.created_at)
            .map(|at| format!(" ({})", calendar.format_local(at)))
            .unwrap_or_default();
        match &item.kind {
            ItemKind::UserMessage { .. } | ItemKind::AssistantMessage { .. } => {
                let Some((role, message)) = item.kind.message_text() else {
                    continue;
                };
                let speaker = if role == "user" { "You" } else { "Assistant" };
                let _ = writeln!(out, "**{speaker}:**{at}\n\n{}\n", text(message.trim()));
            }
            ItemKind::Task { task } => {
                let step = [&task.title, &task.content]
                    .into_iter()
                    .flatten()
                    .map(|t| text(t.trim()))
                    .collect::<Vec<_>>()
                    .join(": ");
                let _ = writeln!(out, "_Tool: {}_\n", step.replace('\n', " "));
            }
            ItemKind::EndOfTurn | ItemKind::SdkHiddenContext { .. } => {}
        }
    }
    out
}

/// Several conversations, oldest first, separated by rules.
pub fn conversations(conversations: &[Conversation], calendar: &Calendar) -> String {
    conversations
        .iter()
        .map(|c| conversation(c, calendar))
        .collect::<Vec<_>>()
        .join("\n---\n\n")
}

/// Stored text as Markdown text: line breaks kept (Windows ones made
/// plain), other control characters shown escaped, never sent raw to a
/// terminal or viewer.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.replace("\r\n", "\n").chars() {
        if c.is_control() && !matches!(c, '\n' | '\t') {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}
