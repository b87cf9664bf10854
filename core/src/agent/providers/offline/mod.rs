//! The offline assistant: the app's default "model", which needs no network
//! and no key. It reads everyday English ("add buy milk", "what is still
//! open?", "mark buy milk as done") and answers exactly like a tool-calling
//! model: tool calls first, then a text reply built from their results.
//!
//! It is stateless. Each `stream` call decides from the last user message
//! and the tool calls and results that follow it in the request; everything
//! before that message is history. A request by title takes the most rounds
//! (list the tasks, then act on the one that matches), so after
//! [`MAX_TOOL_ROUNDS`] rounds it always answers with text.
//!
//! When several tasks fit a title it asks which one, and keeps the choices as
//! hidden context in the thread; the answer ("3", "the second one") is read
//! against them (see `followup`).

mod choice;
mod conversation;
mod decision;
mod followup;
mod intent;
mod matching;
mod plan;
mod reply;

pub use self::decision::{Decision, events};
pub use self::intent::MAX_TASKS_PER_REQUEST;
pub use self::plan::{MAX_TOOL_ROUNDS, plan};
use crate::agent::provider::{ModelRequest, ModelStream, Provider, ProviderError, ProviderErrorKind};
use crate::calendar::Calendar;

/// The offline assistant, used as a [`Provider`]; it reads dates against the
/// calendar's local time.
#[derive(Debug, Default, Clone)]
pub struct OfflineAssistant {
    calendar: Calendar,
}

impl OfflineAssistant {
    pub fn new(calendar: Calendar) -> Self {
        Self { calendar }
    }
}

impl Provider for OfflineAssistant {
    fn describe(&self) -> String {
        "offline assistant".to_owned()
    }

    fn stream(&self, request: ModelRequest) -> ModelStream {
        let calendar = self.calendar;
        Box::pin(async_stream::stream! {
            // Decided on first poll: a stream starts nothing until polled.
            // Reading a message is CPU work: on a blocking thread, so a long
            // one never holds up the async workers (and `/healthz`).
            // Local wall time: the tools read dates without an offset in the same zone.
            let now = calendar.local_now();
            match tokio::task::spawn_blocking(move || events(plan(&request.messages, now))).await {
                Ok(events) => {
                    for event in events {
                        yield Ok(event);
                    }
                }
                Err(err) => {
                    tracing::error!(error = %err, "the offline assistant failed");
                    yield Err(ProviderError::new(
                        ProviderErrorKind::Unavailable,
                        "The offline assistant stopped unexpectedly. Please try again.",
                    ));
                }
            }
        })
    }
}

#[cfg(test)]
mod tests;
