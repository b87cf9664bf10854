//! The ChatKit server protocol, transport-free: one entry point takes the
//! caller's `Authorization` header and the body bytes and returns either a
//! JSON body or a stream of events. HTTP and Tauri IPC both sit on top.

pub mod limits;
mod request;
mod store;
mod turn;
pub mod types;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::agent::Agent;
use crate::db::{self, Database};
use crate::random;
use crate::token::{self, Tokens};
use request::Request;
use store::Store;
pub use store::{PAGE_DEFAULT, PAGE_MAX};
use types::{Event, Page};

/// The body parser and its limits, for the fuzz targets in fuzz/.
#[cfg(feature = "fuzzing")]
pub use request::parse as parse_request;

/// Larger bodies are refused before parsing (413).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("The request body is larger than {MAX_BODY_BYTES} bytes.")]
    TooLarge,
    #[error("Thread {0} was not found.")]
    ThreadNotFound(String),
    #[error("Item {0} was not found in this thread.")]
    ItemNotFound(String),
    #[error("The page cursor does not name an item of this list.")]
    BadCursor,
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("A stored conversation could not be read.")]
    Corrupt,
    #[error(transparent)]
    Database(#[from] db::Error),
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

impl Error {
    pub fn status(&self) -> u16 {
        match self {
            Error::Unauthorized(_) => 401,
            Error::BadRequest(_) | Error::BadCursor | Error::Unsupported(_) => 400,
            Error::TooLarge => 413,
            Error::ThreadNotFound(_) | Error::ItemNotFound(_) => 404,
            Error::Database(db::Error::Unavailable(_)) => 503,
            Error::Corrupt | Error::Database(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthorized(_) => "unauthorized",
            Error::BadRequest(_) => "bad_request",
            Error::TooLarge => "payload_too_large",
            Error::ThreadNotFound(_) | Error::ItemNotFound(_) => "not_found",
            Error::BadCursor => "bad_cursor",
            Error::Unsupported(_) => "unsupported",
            Error::Corrupt | Error::Database(_) => "server_error",
        }
    }

    /// `{"error": {"code", "message"}}`, the body of every refused request.
    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code(), "message": self.to_string()}})
    }

    fn allow_retry(&self) -> bool {
        matches!(self, Error::Database(_))
    }
}

/// What a request produces.
#[derive(Debug)]
pub enum Response {
    Json { status: u16, body: Value },
    Stream(EventStream),
}

impl Response {
    fn error(err: &Error) -> Self {
        Response::Json {
            status: err.status(),
            body: err.body(),
        }
    }
}

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

/// The ChatKit back end over one database.
#[derive(Clone, Debug)]
pub struct ChatKit {
    store: Store,
    tokens: Arc<Tokens>,
    agent: Agent,
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|_| Error::Corrupt)
}

/// `prefix_` + 16 hex characters: unique across every user of a shared database.
fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    random::fill(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}

impl ChatKit {
    pub fn new(db: Database, tokens: Arc<Tokens>, agent: Agent) -> Self {
        Self {
            store: Store::new(db),
            tokens,
            agent,
        }
    }

    /// Handles one request. `authorization` is the header's value
    /// (`Bearer <jwt>`); the token is verified exactly as for any other route.
    #[tracing::instrument(name = "chatkit.process", skip_all, fields(request_type))]
    pub async fn process(&self, authorization: Option<&str>, body: &[u8]) -> Response {
        if body.len() > MAX_BODY_BYTES {
            return Response::error(&Error::TooLarge);
        }
        let user_id = match self.authenticate(authorization).await {
            Ok(user_id) => user_id,
            Err(err) => return Response::error(&err),
        };
        let request = match request::parse(body) {
            Ok(request) => request,
            Err(err) => return Response::error(&err),
        };
        if request.is_streaming() {
            return Response::Stream(turn::start(self.clone(), user_id, request));
        }
        match self.answer(&user_id, request).await {
            Ok(body) => Response::Json { status: 200, body },
            Err(err) => {
                tracing::info!(code = err.code(), "chatkit request refused");
                Response::error(&err)
            }
        }
    }

    async fn authenticate(&self, authorization: Option<&str>) -> Result<String, Error> {
        match self.tokens.authenticate(authorization).await {
            Ok(claims) => Ok(claims.sub),
            Err(token::Error::Database(err)) => Err(Error::Database(err)),
            Err(err) => Err(Error::Unauthorized(err.to_string())),
        }
    }

    async fn answer(&self, user_id: &str, request: Request) -> Result<Value, Error> {
        match request {
            Request::GetThread(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                let items = self
                    .store
                    .list_items(&thread, Some(PAGE_DEFAULT), types::Order::Asc, None)
                    .await?;
                to_json(&thread.to_thread(items))
            }
            Request::ListThreads(p) => {
                let page = self
                    .store
                    .list_threads(user_id, p.limit, p.order, p.after.as_deref())
                    .await?;
                let threads = Page {
                    data: page.data.iter().map(|t| t.to_thread(Page::empty())).collect(),
                    has_more: page.has_more,
                    after: page.after,
                };
                to_json(&threads)
            }
            Request::ListItems(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                to_json(
                    &self
                        .store
                        .list_items(&thread, p.page.limit, p.page.order, p.page.after.as_deref())
                        .await?,
                )
            }
            Request::Feedback(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                for id in &p.item_ids {
                    self.store
                        .item(&thread, id)
                        .await?
                        .ok_or_else(|| Error::ItemNotFound(id.clone()))?;
                }
                tracing::info!(kind = ?p.kind, items = p.item_ids.len(), "feedback received");
                Ok(json!({}))
            }
            Request::UpdateThread(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                // Its length was checked with the other limits.
                self.store.set_title(&thread, p.title.trim()).await?;
                let updated = self.store.thread(user_id, &p.thread_id).await?;
                to_json(&updated.to_thread(Page::empty()))
            }
            Request::DeleteThread(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                self.store.delete_thread(&thread).await?;
                Ok(json!({}))
            }
            Request::Unsupported(message) => Err(Error::Unsupported(message)),
            streaming => Err(Error::BadRequest(format!("{streaming:?} is a streaming request"))),
        }
    }
}
