//! The ChatKit server protocol, transport-free: one entry point takes the
//! caller's `Authorization` header and the body bytes and returns either a
//! JSON body or a stream of events. HTTP and Tauri IPC both sit on top.

mod error;
pub mod limits;
mod params;
mod request;
pub(crate) mod store;
mod turn;
pub mod types;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::agent::Agent;
use crate::db::Database;
use crate::token::Tokens;
pub use error::{Error, MAX_BODY_BYTES};
use request::{JsonRequest, Request};
use store::Store;
pub use store::{PAGE_DEFAULT, PAGE_MAX};
pub use turn::EventStream;
use types::Page;

/// The body parser and its limits, for the fuzz targets in fuzz/.
#[cfg(feature = "fuzzing")]
pub use request::parse as parse_request;

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
        let bearer = match self.tokens.bearer(authorization).await {
            Ok(bearer) => bearer,
            Err(err) => return Response::error(&err.into()),
        };
        let request = match request::parse(body) {
            // The turn confirms the account, with its first read if it can.
            Ok(Request::Stream(request)) => {
                let (store, agent) = (self.store.clone(), self.agent.clone());
                return match turn::start(store, agent, &self.tokens, bearer, request).await {
                    Ok(stream) => Response::Stream(stream),
                    Err(err) => Response::error(&err),
                };
            }
            Ok(Request::Json(request)) => Ok(request),
            Ok(Request::Unsupported(message)) => Err(Error::Unsupported(message)),
            Err(err) => Err(err),
        };
        let answered = match (self.tokens.confirm(bearer).await, request) {
            (Ok(claims), Ok(request)) => self.answer(&claims.sub, request).await,
            // A deleted account learns that before anything about its request.
            (Err(err), _) => Err(err.into()),
            (Ok(_), Err(err)) => Err(err),
        };
        match answered {
            Ok(body) => Response::Json { status: 200, body },
            Err(err) => {
                tracing::info!(code = err.code(), "chatkit request refused");
                Response::error(&err)
            }
        }
    }

    /// A page of threads (without their items), all or those holding `words`.
    async fn threads(&self, user_id: &str, words: &[String], p: &params::ListParams) -> Result<Value, Error> {
        let page = self
            .store
            .list_threads(user_id, words, p.limit, p.order, p.after.as_deref())
            .await?;
        to_json(&Page {
            data: page.data.iter().map(|t| t.to_thread(Page::empty())).collect(),
            has_more: page.has_more,
            after: page.after,
        })
    }

    async fn answer(&self, user_id: &str, request: JsonRequest) -> Result<Value, Error> {
        match request {
            JsonRequest::GetThread(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                let items = self
                    .store
                    .list_items(&thread, Some(PAGE_DEFAULT), types::Order::Asc, None)
                    .await?;
                to_json(&thread.to_thread(items))
            }
            JsonRequest::ListThreads(p) => self.threads(user_id, &[], &p).await,
            JsonRequest::SearchThreads(p) => self.threads(user_id, &p.words()?, &p.page).await,
            JsonRequest::ListItems(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                to_json(
                    &self
                        .store
                        .list_items(&thread, p.page.limit, p.page.order, p.page.after.as_deref())
                        .await?,
                )
            }
            JsonRequest::Feedback(p) => {
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
            JsonRequest::UpdateThread(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                // Its length was checked with the other limits.
                self.store.set_title(&thread, p.title.trim()).await?;
                let updated = self.store.thread(user_id, &p.thread_id).await?;
                to_json(&updated.to_thread(Page::empty()))
            }
            JsonRequest::DeleteThread(p) => {
                let thread = self.store.thread(user_id, &p.thread_id).await?;
                self.store.delete_thread(&thread).await?;
                Ok(json!({}))
            }
        }
    }
}
