//! Streaming requests: one turn of the conversation, run in its own task so
//! that a client that goes away (the stop button, a closed window) cancels
//! the model request while what was generated is kept, as the SDK does.

use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::error::Error;
use super::limits;
use super::params::CreateParams;
use super::request::StreamRequest;
use super::store::{Store, ThreadRow, TurnRecord, TurnThread, new_id, thread_view};
use super::types::{
    CustomTask, CustomTaskType, Event, ItemKind, ItemUpdate, OutputText, Page, StatusIndicator, StreamOptions, Thread,
    ThreadItem, UserMessageInput,
};
use crate::agent::{Agent, AgentEvent, ChatMessage};
use crate::timestamp::Timestamp;
use crate::token::{Tokens, Unconfirmed};

/// How many recent items the model sees.
const CONTEXT_ITEMS: u32 = 30;
/// Thread titles made from the first message stop at about this length.
const TITLE_CHARS: usize = 60;
/// Events buffered between the turn and a slow reader.
const BUFFER: usize = 64;
const CANCELLED_NOTE: &str = "The user cancelled the stream. The response above may be incomplete.";

/// The events of a streamed response. Dropping it is the client's cancel:
/// the turn stops its model request and keeps what was generated.
#[derive(Debug)]
pub struct EventStream(mpsc::Receiver<Event>);

impl EventStream {
    pub async fn next(&mut self) -> Option<Event> {
        self.0.recv().await
    }
}

impl futures_core::Stream for EventStream {
    type Item = Event;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.0.poll_recv(cx)
    }
}

/// The receiver is gone: the client aborted.
struct Cancelled;

/// Why a turn ended before its answer was complete.
enum Stop {
    Cancelled,
    /// The request was refused: the stream ends with an `error` event.
    Refused(Error),
}

impl From<Cancelled> for Stop {
    fn from(Cancelled: Cancelled) -> Self {
        Stop::Cancelled
    }
}

impl From<Error> for Stop {
    fn from(err: Error) -> Self {
        Stop::Refused(err)
    }
}

struct Turn {
    store: Store,
    agent: Agent,
    user_id: String,
    tx: mpsc::Sender<Event>,
    /// What the turn stores, all written by [`Turn::save`] when it ends.
    record: Mutex<Option<TurnRecord>>,
}

/// What a turn starts from, read before its stream begins.
enum Opening {
    /// A new thread: there is nothing to read.
    Create(CreateParams),
    /// A thread found with the history the model reads, and the user's new
    /// message (none for a retry, which answers again the one it names).
    Continue {
        thread: ThreadRow,
        history: Vec<ThreadItem>,
        input: Option<UserMessageInput>,
        replace_after: Option<i64>,
    },
    /// Refused before it began: the stream carries only the error.
    Refused(Error),
}

/// Starts a turn once its reads are done. Reading a thread's history finds
/// only an existing account's thread, so a continued thread confirms the
/// token's account in the same statement: one round trip fewer on the
/// busiest request. Any other opening looks the account up after its reads
/// (of that account's rows only), so a deleted account's token is refused
/// before any stream begins.
pub(super) async fn start(
    store: Store,
    agent: Agent,
    tokens: &Tokens,
    bearer: Unconfirmed,
    request: StreamRequest,
) -> Result<EventStream, Error> {
    let opening = read_opening(&store, bearer.user_id(), request).await;
    let user_id = match opening {
        Ok(Opening::Continue { .. }) => bearer.confirmed_by_query().sub,
        _ => tokens.confirm(bearer).await?.sub,
    };
    let (tx, rx) = mpsc::channel(BUFFER);
    let turn = Turn {
        store,
        agent,
        user_id,
        tx,
        record: Mutex::new(None),
    };
    tokio::spawn(async move {
        if let Err(Cancelled) = turn.run(opening.unwrap_or_else(Opening::Refused)).await {
            tracing::debug!("the stream ended early: its reader went away");
        }
    });
    Ok(EventStream(rx))
}

/// The reads a request starts with, for the account `user_id` names.
async fn read_opening(store: &Store, user_id: &str, request: StreamRequest) -> Result<Opening, Error> {
    let unsupported = async |thread_id: &str, message: &'static str| {
        store.thread(user_id, thread_id).await?;
        Err(Error::Unsupported(message))
    };
    match request {
        StreamRequest::CreateThread(params) => Ok(Opening::Create(params)),
        StreamRequest::AddUserMessage(params) => {
            limits::check_message(&params.input)?;
            // The user's message completes the model's context.
            let (thread, history) = store
                .thread_with_history(user_id, &params.thread_id, CONTEXT_ITEMS - 1, None)
                .await?;
            Ok(Opening::Continue {
                thread,
                history,
                input: Some(params.input),
                replace_after: None,
            })
        }
        StreamRequest::RetryAfterItem(params) => {
            let thread = store.thread(user_id, &params.thread_id).await?;
            let (seq, item) = store
                .item(&thread, &params.item_id)
                .await?
                .ok_or(Error::ItemNotFound(params.item_id))?;
            if !matches!(item.kind, ItemKind::UserMessage { .. }) {
                return Err(Error::BadRequest("Only a user message can be retried.".into()));
            }
            let (thread, history) = store
                .thread_with_history(user_id, &thread.id, CONTEXT_ITEMS, Some(seq))
                .await?;
            // The client removes the later items itself; the SDK sends no event for them.
            Ok(Opening::Continue {
                thread,
                history,
                input: None,
                replace_after: Some(seq),
            })
        }
        StreamRequest::AddClientToolOutput(params) => {
            unsupported(
                &params.thread_id,
                "There is no pending client tool call in this thread.",
            )
            .await
        }
        StreamRequest::AddStructuredInput(params) => {
            unsupported(&params.thread_id, "There is no pending question in this thread.").await
        }
        StreamRequest::CustomAction(params) => {
            unsupported(&params.thread_id, "Custom actions are not supported.").await
        }
    }
}

fn user_item(thread_id: &str, input: UserMessageInput) -> ThreadItem {
    ThreadItem {
        id: new_id("msg"),
        thread_id: thread_id.to_owned(),
        created_at: Timestamp::now().to_iso(),
        kind: ItemKind::UserMessage {
            content: input.content,
            attachments: Vec::new(),
            quoted_text: input.quoted_text,
            inference_options: input.inference_options,
        },
    }
}

/// The first line of the first message, cut at a word near `TITLE_CHARS`.
fn title_from(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.chars().count() <= TITLE_CHARS {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(TITLE_CHARS).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|i| *i > TITLE_CHARS / 2)
        .map_or(cut.as_str(), |i| &cut[..i]);
    Some(format!("{}…", at_word.trim_end()))
}

/// The stored thread as the model reads it.
fn model_context(agent: &Agent, items: &[ThreadItem]) -> Vec<ChatMessage> {
    let mut messages = vec![ChatMessage::system(agent.system_prompt())];
    for item in items {
        match &item.kind {
            ItemKind::UserMessage { .. } | ItemKind::AssistantMessage { .. } => {
                if let Some((role, text)) = item.kind.message_text() {
                    messages.push(if role == "user" {
                        ChatMessage::user(text)
                    } else {
                        ChatMessage::assistant(text, Vec::new())
                    });
                }
            }
            ItemKind::SdkHiddenContext { content } => messages.push(ChatMessage::user(content.clone())),
            // Tool results are summarised by the assistant's own replies.
            ItemKind::Task { .. } | ItemKind::EndOfTurn => {}
        }
    }
    messages
}

impl Turn {
    async fn send(&self, event: Event) -> Result<(), Cancelled> {
        self.tx.send(event).await.map_err(|_| Cancelled)
    }

    /// `Err(Cancelled)` when the client went away; request errors become an
    /// `error` event that ends the stream.
    async fn run(&self, opening: Opening) -> Result<(), Cancelled> {
        let outcome = match opening {
            Opening::Create(params) => self.create(params).await,
            Opening::Continue {
                thread,
                history,
                input,
                replace_after,
            } => {
                self.open(TurnThread::Existing {
                    id: thread.id.clone(),
                    pk: thread.pk,
                    replace_after,
                });
                let item = input.map(|input| user_item(&thread.id, input));
                Ok(self.begin(&thread.id, history, item, None).await?)
            }
            Opening::Refused(err) => Err(Stop::Refused(err)),
        };
        let streamed = match outcome {
            Ok(()) => Ok(()),
            Err(Stop::Cancelled) => Err(Cancelled),
            Err(Stop::Refused(err)) => {
                tracing::info!(code = err.code(), "chatkit stream refused");
                self.send(Event::error(err.to_string(), err.allow_retry())).await
            }
        };
        match self.save().await {
            Err(err) if streamed.is_ok() => self.send(Event::error(err.to_string(), err.allow_retry())).await,
            _ => streamed,
        }
    }

    /// The turn's writes start with its thread.
    fn open(&self, thread: TurnThread) {
        *self.record.lock().unwrap_or_else(PoisonError::into_inner) = Some(TurnRecord {
            thread,
            items: Vec::new(),
        });
    }

    fn record(&self, item: &ThreadItem) {
        if let Some(record) = self.record.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
            record.items.push((item.clone(), Timestamp::now()));
        }
    }

    /// Writes the turn, before its stream ends: a client that read to the end
    /// reads it back.
    ///
    /// Why once, at the end, in one transaction: a turn is stored whole or
    /// not at all, for one commit (and on PostgreSQL one round trip) instead
    /// of one per item. If the process dies mid-turn, the client has seen the
    /// events of a turn the database never got: its stream breaks off (the
    /// chat shows the error and Retry), and after a restart a new thread is
    /// not found and a continued one ends before the lost message, as if it
    /// had not been sent. Nothing is left half-written, such as a question
    /// stored without the answer the client saw begin. A cancelled or failed
    /// turn ends normally and is stored with what it had. Task changes made
    /// by tool calls are not part of it: they go through `Tasks` and commit
    /// when they run, so they outlive such a crash (the task list shows them;
    /// the chat lost its record of them).
    async fn save(&self) -> Result<(), Error> {
        let record = self.record.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(record) = record else {
            return Ok(());
        };
        let saved = self.store.save_turn(&self.user_id, &record).await;
        if let Err(err) = &saved {
            tracing::error!(error = %err, items = record.items.len(), "could not store a chat turn");
        }
        saved
    }

    async fn create(&self, params: CreateParams) -> Result<(), Stop> {
        limits::check_message(&params.input)?;
        let id = new_id("thr");
        let item = user_item(&id, params.input);
        let title = item.kind.message_text().and_then(|(_, text)| title_from(&text));
        let now = Timestamp::now();
        self.open(TurnThread::New {
            id: id.clone(),
            title: title.clone(),
            created_at: now,
        });
        // As the SDK does: the thread is announced untitled, and the title
        // follows in `thread.updated` once the turn has begun.
        self.send(Event::ThreadCreated {
            thread: thread_view(&id, None, now, now, Page::empty()),
        })
        .await?;
        let titled = title.map(|title| thread_view(&id, Some(title), now, now, Page::empty()));
        // A new thread has no history to read.
        Ok(self.begin(&id, Vec::new(), Some(item), titled).await?)
    }

    /// Echoes the user's message, then answers it; `titled` is the thread
    /// just given its title.
    async fn begin(
        &self,
        thread_id: &str,
        mut history: Vec<ThreadItem>,
        user: Option<ThreadItem>,
        titled: Option<Thread>,
    ) -> Result<(), Cancelled> {
        if let Some(item) = user {
            self.record(&item);
            history.push(item.clone());
            self.send(Event::ItemDone { item }).await?;
        }
        self.send(Event::StreamOptions {
            stream_options: StreamOptions { allow_cancel: true },
        })
        .await?;
        if let Some(thread) = titled {
            self.send(Event::ThreadUpdated { thread }).await?;
        }
        self.respond(thread_id, &history).await
    }

    /// Runs the agent and streams its answer as items.
    async fn respond(&self, thread_id: &str, history: &[ThreadItem]) -> Result<(), Cancelled> {
        let answer = self
            .agent
            .run(self.user_id.clone(), model_context(&self.agent, history));
        let mut answer = std::pin::pin!(answer);
        let mut reply = Answer::new(thread_id);
        loop {
            let next = tokio::select! {
                biased;
                () = self.tx.closed() => None,
                next = answer.next() => Some(next),
            };
            let Some(next) = next else {
                // Dropping the agent stream aborts the model request.
                return self.keep_after_cancel(thread_id, reply);
            };
            let step = match next {
                Some(Ok(event)) => reply.apply(self, event).await,
                Some(Err(err)) => {
                    let closed = reply.close(self).await;
                    if closed.is_err() {
                        return self.keep_after_cancel(thread_id, reply);
                    }
                    let allow_retry = err.allow_retry();
                    return self.send(Event::error(err.message, allow_retry)).await;
                }
                None => break,
            };
            if step.is_err() {
                return self.keep_after_cancel(thread_id, reply);
            }
        }
        if reply.close(self).await.is_err() {
            return self.keep_after_cancel(thread_id, reply);
        }
        if !reply.answered {
            let text = "Done.";
            let item = reply.assistant_item(text.to_owned());
            self.record(&item);
            self.send(Event::ItemDone { item }).await?;
        }
        Ok(())
    }

    /// After a cancel: keep the partial answer and note the cancellation for the model.
    fn keep_after_cancel(&self, thread_id: &str, mut reply: Answer) -> Result<(), Cancelled> {
        tracing::info!(thread_id, "the client cancelled the stream");
        if let Some(item) = reply.take_partial() {
            self.record(&item);
        }
        let note = ThreadItem {
            id: new_id("shcx"),
            thread_id: thread_id.to_owned(),
            created_at: Timestamp::now().to_iso(),
            kind: ItemKind::SdkHiddenContext {
                content: CANCELLED_NOTE.into(),
            },
        };
        self.record(&note);
        Err(Cancelled)
    }
}

/// The assistant's answer as it streams: the open text item and the running tool.
struct Answer {
    thread_id: String,
    text: Option<(String, String)>,
    tool_item: Option<ThreadItem>,
    answered: bool,
}

impl Answer {
    fn new(thread_id: &str) -> Self {
        Self {
            thread_id: thread_id.to_owned(),
            text: None,
            tool_item: None,
            answered: false,
        }
    }

    fn assistant_item(&self, text: String) -> ThreadItem {
        self.item(
            new_id("msg"),
            ItemKind::AssistantMessage {
                content: vec![OutputText::new(text)],
            },
        )
    }

    fn item(&self, id: String, kind: ItemKind) -> ThreadItem {
        ThreadItem {
            id,
            thread_id: self.thread_id.clone(),
            created_at: Timestamp::now().to_iso(),
            kind,
        }
    }

    fn tool_item(&self, id: String, title: String, status: StatusIndicator) -> ThreadItem {
        let task = CustomTask {
            kind: CustomTaskType::Custom,
            title: Some(title),
            icon: None,
            content: None,
            status_indicator: status,
        };
        self.item(id, ItemKind::Task { task })
    }

    async fn apply(&mut self, turn: &Turn, event: AgentEvent) -> Result<(), Cancelled> {
        match event {
            AgentEvent::TextDelta(delta) => {
                if self.text.is_none() {
                    let id = new_id("msg");
                    let empty = ItemKind::AssistantMessage { content: Vec::new() };
                    turn.send(Event::ItemAdded {
                        item: self.item(id.clone(), empty),
                    })
                    .await?;
                    let update = ItemUpdate::ContentPartAdded {
                        content_index: 0,
                        content: OutputText::new(""),
                    };
                    turn.send(Event::ItemUpdated {
                        item_id: id.clone(),
                        update,
                    })
                    .await?;
                    self.text = Some((id, String::new()));
                }
                if let Some((id, text)) = &mut self.text {
                    text.push_str(&delta);
                    let item_id = id.clone();
                    turn.send(Event::ItemUpdated {
                        item_id,
                        update: ItemUpdate::TextDelta {
                            content_index: 0,
                            delta,
                        },
                    })
                    .await?;
                }
            }
            AgentEvent::ToolStarted(call) => {
                self.close(turn).await?;
                let item = self.tool_item(
                    new_id("tsk"),
                    format!("Running {}…", call.name),
                    StatusIndicator::Loading,
                );
                self.tool_item = Some(item.clone());
                turn.send(Event::ItemAdded { item }).await?;
            }
            AgentEvent::HiddenContext(content) => {
                // After the text it follows, so the next turn reads it right before the answer.
                self.close(turn).await?;
                let item = self.item(new_id("shcx"), ItemKind::SdkHiddenContext { content });
                turn.record(&item);
            }
            AgentEvent::ToolFinished(_, outcome) => {
                let id = self.tool_item.take().map_or_else(|| new_id("tsk"), |i| i.id);
                let item = self.tool_item(id, outcome.summary, StatusIndicator::Complete);
                turn.record(&item);
                turn.send(Event::ItemDone { item }).await?;
                if outcome.changed_tasks {
                    turn.send(Event::ClientEffect {
                        name: "tasks.changed".into(),
                        data: serde_json::Map::new(),
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Finishes the open text item, if any: `content_part.done`, store, `item.done`.
    async fn close(&mut self, turn: &Turn) -> Result<(), Cancelled> {
        let Some((id, text)) = self.text.take() else {
            return Ok(());
        };
        self.answered = true;
        let done = ItemUpdate::ContentPartDone {
            content_index: 0,
            content: OutputText::new(text.clone()),
        };
        let item = self.item(
            id.clone(),
            ItemKind::AssistantMessage {
                content: vec![OutputText::new(text)],
            },
        );
        turn.record(&item);
        turn.send(Event::ItemUpdated {
            item_id: id,
            update: done,
        })
        .await?;
        turn.send(Event::ItemDone { item }).await
    }

    /// The text generated so far, if any and not yet stored.
    fn take_partial(&mut self) -> Option<ThreadItem> {
        let (id, text) = self.text.take()?;
        (!text.is_empty()).then(|| {
            self.item(
                id,
                ItemKind::AssistantMessage {
                    content: vec![OutputText::new(text)],
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_the_first_line_cut_at_a_word() {
        assert_eq!(
            title_from("  add a task to buy milk \nmore").as_deref(),
            Some("add a task to buy milk")
        );
        let long = "please add a task to remember to buy the special oat milk from the shop on the corner";
        let title = title_from(long).unwrap_or_default();
        assert!(
            title.ends_with('…') && title.chars().count() <= TITLE_CHARS + 1,
            "{title}"
        );
        assert!(long.starts_with(title.trim_end_matches('…')));
        assert_eq!(title_from(" \n "), None);
    }
}
