//! What one ChatKit request may carry. Every list and string a client sends
//! is bounded here, so the work a request causes is bounded too: the body
//! limit alone would still allow 40 000 feedback ids, each a lookup, or a
//! message the assistant reads for seconds.
//!
//! A request over a bound is refused before any work, as a malformed one
//! is: JSON 400. A user message over the cap, or with a control character,
//! is refused in its stream with an `error` event that offers no retry.

use super::error::Error;
use super::params::{
    AddMessageParams, CreateParams, FeedbackParams, ItemParams, ItemsListParams, ListParams, SearchParams,
    ThreadParams, ToolOutputParams, UpdateParams,
};
use super::types::{CustomTask, ItemKind, OutputText, UserContent, UserMessageInput};

/// What one user message may hold: its text, quoted text and tag data, in
/// bytes of UTF-8.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Parts (text and tags) of one message.
pub const MAX_CONTENT_PARTS: usize = 64;
/// Attachment ids on one message (none are stored: attachments are not supported).
pub const MAX_ATTACHMENTS: usize = 16;
/// Item ids in one `items.feedback`.
pub const MAX_FEEDBACK_ITEMS: usize = 100;
/// Any id a client sends (thread, item, cursor, attachment, tag) and a model name.
pub const MAX_ID_BYTES: usize = 256;
/// A thread title set with `threads.update`.
pub const MAX_TITLE_CHARS: usize = 200;
/// The text of one assistant message read from elsewhere (an import): the
/// model's answers are not capped as they stream, but a file's are.
pub const MAX_REPLY_BYTES: usize = 256 * 1024;
/// A `threads.search` query: each word is one more `like` over every
/// message of the user's threads.
pub const MAX_SEARCH_CHARS: usize = 200;
pub const MAX_SEARCH_WORDS: usize = 8;

fn refuse(message: String) -> Result<(), Error> {
    Err(Error::BadRequest(message))
}

fn id(field: &str, value: &str) -> Result<(), Error> {
    if value.len() > MAX_ID_BYTES {
        return refuse(format!("The {field} is longer than {MAX_ID_BYTES} bytes."));
    }
    Ok(())
}

fn at_most(what: &str, count: usize, max: usize) -> Result<(), Error> {
    if count > max {
        return refuse(format!(
            "A request may carry at most {max} {what}; this one has {count}."
        ));
    }
    Ok(())
}

/// The bounds on a new message's shape; its text is [`check_message`]'s.
fn input(input: &UserMessageInput) -> Result<(), Error> {
    at_most("message parts", input.content.len(), MAX_CONTENT_PARTS)?;
    at_most("attachments", input.attachments.len(), MAX_ATTACHMENTS)?;
    for attachment in &input.attachments {
        id("attachment id", attachment)?;
    }
    for part in &input.content {
        if let UserContent::InputTag { id: tag, group, .. } = part {
            id("tag id", tag)?;
            id("tag group", group.as_deref().unwrap_or_default())?;
        }
    }
    id(
        "model name",
        input.inference_options.model.as_deref().unwrap_or_default(),
    )
}

/// The bounds on one request type's params. The parser checks them on every
/// params it reads, so a new params type cannot skip them.
pub(super) trait Bounded {
    /// Refuses params that carry more than these limits allow.
    fn check(&self) -> Result<(), Error>;
}

impl Bounded for CreateParams {
    fn check(&self) -> Result<(), Error> {
        input(&self.input)
    }
}

impl Bounded for AddMessageParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)?;
        input(&self.input)
    }
}

impl Bounded for ToolOutputParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)
    }
}

impl Bounded for ItemParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)?;
        id("item id", &self.item_id)
    }
}

impl Bounded for ThreadParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)
    }
}

impl Bounded for ListParams {
    fn check(&self) -> Result<(), Error> {
        id("cursor", self.after.as_deref().unwrap_or_default())
    }
}

impl Bounded for ItemsListParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)?;
        self.page.check()
    }
}

impl Bounded for FeedbackParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)?;
        at_most("item ids", self.item_ids.len(), MAX_FEEDBACK_ITEMS)?;
        self.item_ids.iter().try_for_each(|item| id("item id", item))
    }
}

impl Bounded for UpdateParams {
    fn check(&self) -> Result<(), Error> {
        id("thread id", &self.thread_id)?;
        check_title(&self.title).map(|_| ())
    }
}

/// The title trimmed, if it is one a thread may have: 1 to
/// [`MAX_TITLE_CHARS`] characters, no control character.
pub(crate) fn check_title(title: &str) -> Result<&str, Error> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::BadRequest(format!(
            "A thread title must be 1 to {MAX_TITLE_CHARS} characters long."
        )));
    }
    if let Some(found) = title.chars().find(|c| c.is_control()) {
        return Err(Error::BadRequest(format!(
            "A thread title cannot contain control characters (found U+{:04X}).",
            u32::from(found)
        )));
    }
    Ok(title)
}

impl SearchParams {
    /// The query's words as `like` patterns: 1 to [`MAX_SEARCH_WORDS`] words,
    /// at most [`MAX_SEARCH_CHARS`] characters, no control character.
    pub(super) fn words(&self) -> Result<Vec<String>, Error> {
        let refused = || {
            Error::BadRequest(format!(
                "A search is 1 to {MAX_SEARCH_WORDS} words and at most {MAX_SEARCH_CHARS} characters, \
                 without control characters."
            ))
        };
        if self.query.chars().any(char::is_control) {
            return Err(refused());
        }
        crate::db::like_patterns(&self.query, MAX_SEARCH_CHARS, MAX_SEARCH_WORDS)
            .filter(|words| !words.is_empty())
            .ok_or_else(refused)
    }
}

impl Bounded for SearchParams {
    fn check(&self) -> Result<(), Error> {
        self.page.check()?;
        self.words().map(|_| ())
    }
}

/// A character a message may not hold: control characters other than tab
/// and line breaks (`\r` too, which pasted Windows text carries).
fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses a user message over [`MAX_MESSAGE_BYTES`] or with a control
/// character, before it is stored or read by the assistant.
pub(super) fn check_message(input: &UserMessageInput) -> Result<(), Error> {
    let texts = || {
        input
            .content
            .iter()
            .map(UserContent::text)
            .chain(input.quoted_text.as_deref())
    };
    let tag_data: usize = input
        .content
        .iter()
        .map(|part| match part {
            UserContent::InputTag { data, .. } => serde_json::to_string(data).map_or(usize::MAX, |d| d.len()),
            UserContent::InputText { .. } => 0,
        })
        .fold(0, usize::saturating_add);
    let bytes = texts().map(str::len).fold(tag_data, usize::saturating_add);
    if bytes > MAX_MESSAGE_BYTES {
        return refuse(format!(
            "This message is too long: a message may hold at most {} KiB ({MAX_MESSAGE_BYTES} bytes), and this one \
             has {bytes} bytes. Please shorten it or send it in parts.",
            MAX_MESSAGE_BYTES / 1024
        ));
    }
    if texts().any(|text| text.chars().any(is_forbidden)) {
        return refuse(
            "This message contains a control character (such as NUL or an escape code) that cannot be sent. \
             Please remove it and try again."
                .to_owned(),
        );
    }
    Ok(())
}

/// An item written elsewhere (an export file), as this server would have
/// stored it: a user message and hidden context (which the model reads as a
/// user message) under the user message rules, an answer under
/// [`MAX_REPLY_BYTES`] without NUL, a tool step under the message cap.
/// Attachments and annotations, which this server never stores, are dropped.
pub(crate) fn stored_item(kind: ItemKind) -> Result<ItemKind, Error> {
    match kind {
        ItemKind::UserMessage {
            content,
            quoted_text,
            inference_options,
            ..
        } => {
            let message = UserMessageInput {
                content,
                attachments: Vec::new(),
                quoted_text,
                inference_options,
            };
            input(&message)?;
            check_message(&message)?;
            let tool_choice = message.inference_options.tool_choice.as_ref();
            if tool_choice.is_some_and(|choice| choice.to_string().len() > MAX_ID_BYTES) {
                return Err(Error::BadRequest(format!(
                    "The tool choice is longer than {MAX_ID_BYTES} bytes."
                )));
            }
            Ok(ItemKind::UserMessage {
                content: message.content,
                attachments: Vec::new(),
                quoted_text: message.quoted_text,
                inference_options: message.inference_options,
            })
        }
        ItemKind::AssistantMessage { content } => {
            at_most("answer parts", content.len(), MAX_CONTENT_PARTS)?;
            let bytes = content
                .iter()
                .map(|part| part.text.len())
                .fold(0, usize::saturating_add);
            if bytes > MAX_REPLY_BYTES {
                return Err(Error::BadRequest(format!(
                    "An answer may hold at most {MAX_REPLY_BYTES} bytes; this one has {bytes}."
                )));
            }
            if content.iter().any(|part| part.text.contains('\0')) {
                return Err(Error::BadRequest("An answer cannot contain NUL characters.".to_owned()));
            }
            let content = content.into_iter().map(|part| OutputText::new(part.text)).collect();
            Ok(ItemKind::AssistantMessage { content })
        }
        ItemKind::Task { task } => {
            let CustomTask {
                title, icon, content, ..
            } = &task;
            plain_text(
                "tool step",
                [title, icon, content].into_iter().flatten().map(String::as_str),
            )?;
            Ok(ItemKind::Task { task })
        }
        ItemKind::SdkHiddenContext { content } => {
            plain_text("hidden note", [content.as_str()])?;
            Ok(ItemKind::SdkHiddenContext { content })
        }
        ItemKind::EndOfTurn => Ok(ItemKind::EndOfTurn),
    }
}

/// Texts of at most [`MAX_MESSAGE_BYTES`] in all, without control
/// characters other than tab and line breaks.
fn plain_text<'a>(what: &str, texts: impl IntoIterator<Item = &'a str> + Clone) -> Result<(), Error> {
    let bytes = texts.clone().into_iter().map(str::len).fold(0, usize::saturating_add);
    if bytes > MAX_MESSAGE_BYTES {
        return refuse(format!(
            "A {what} may hold at most {MAX_MESSAGE_BYTES} bytes; this one has {bytes}."
        ));
    }
    if texts.into_iter().any(|text| text.chars().any(is_forbidden)) {
        return refuse(format!("A {what} cannot contain control characters."));
    }
    Ok(())
}
