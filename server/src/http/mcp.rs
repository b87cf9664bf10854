//! `/mcp`: the task tools over MCP's Streamable HTTP (rmcp). Every request is
//! authenticated here, before MCP reads a byte of it: a JWT or a session
//! token as `Authorization: Bearer`, else 401. A session (`Mcp-Session-Id`,
//! for clients on protocol versions that have them) belongs to the user who
//! opened it; another user's request on it is answered as for an unknown
//! session, so session ids reveal nothing across users.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::{SessionId, SessionManager};
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tasktalk_core::Services;
use tasktalk_core::mcp::{RequestUser, TaskServer};
use tokio_util::sync::CancellationToken;

use super::error::ApiError;

const SESSION_HEADER: &str = "mcp-session-id";
/// Open sessions kept per user; opening one more closes that user's oldest,
/// so one account cannot fill the memory with sessions.
pub const MAX_SESSIONS_PER_USER: usize = 16;

/// The MCP service and who owns each of its sessions.
#[derive(Clone)]
pub struct Mcp {
    service: StreamableHttpService<TaskServer, LocalSessionManager>,
    owners: Owners,
    services: Services,
}

impl std::fmt::Debug for Mcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mcp").finish_non_exhaustive()
    }
}

impl Mcp {
    /// `origins`: the browser origins allowed to call (as for CORS); requests
    /// without an Origin (every native MCP client) pass. Hosts are not
    /// checked: the bearer token, not the Host header, is what keeps a
    /// rebinding page out, and behind a proxy the Host is the proxy's name.
    pub fn new(services: &Services, origins: &[HeaderValue], max_body_bytes: usize, stop: CancellationToken) -> Self {
        let sessions = Arc::new(LocalSessionManager::default());
        let config = StreamableHttpServerConfig::default()
            .disable_allowed_hosts()
            .with_allowed_origins(
                origins
                    .iter()
                    .filter_map(|origin| origin.to_str().ok().map(str::to_owned)),
            )
            .enforce_origin_validation()
            .with_max_request_body_bytes(max_body_bytes)
            .with_cancellation_token(stop);
        let tasks = services.tasks.clone();
        let service = StreamableHttpService::new(
            move || Ok(TaskServer::per_request(tasks.clone())),
            sessions.clone(),
            config,
        );
        Self {
            service,
            owners: Owners::new(sessions),
            services: services.clone(),
        }
    }
}

/// Authenticates, checks the session's owner, then hands the request to MCP.
pub async fn handle(State(mcp): State<Mcp>, mut request: Request) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let user: Arc<str> = match mcp
        .services
        .tokens
        .authenticate_user(&mcp.services.accounts, authorization)
        .await
    {
        Ok(user) => user.into(),
        Err(err) => return unauthorized(ApiError::from(err)),
    };
    let session = request
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(SessionId::from);
    if let Some(session) = &session
        && !mcp.owners.may_use(session, &user)
    {
        tracing::info!("MCP session used by another user: refused");
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "MCP_SESSION_NOT_FOUND",
            "There is no such MCP session for this user; initialize a new one.",
        )
        .into_response();
    }
    let closing = request.method() == Method::DELETE;
    request.extensions_mut().insert(RequestUser(user.clone()));
    let response = mcp.service.handle(request).await.map(axum::body::Body::new);
    match (&session, response.headers().get(SESSION_HEADER)) {
        (None, Some(opened)) => {
            if let Ok(opened) = opened.to_str() {
                mcp.owners.opened(SessionId::from(opened), user).await;
            }
        }
        (Some(session), _) if closing && response.status().is_success() => mcp.owners.closed(session),
        _ => {}
    }
    response
}

/// 401 with the API's error body, and the scheme a client should use.
fn unauthorized(error: ApiError) -> Response {
    let mut response = error.into_response();
    if response.status() == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// Session id → owner, and each owner's sessions oldest first.
#[derive(Clone)]
struct Owners {
    sessions: Arc<LocalSessionManager>,
    table: Arc<Mutex<Table>>,
}

#[derive(Default)]
struct Table {
    owner: HashMap<SessionId, Arc<str>>,
    by_user: HashMap<Arc<str>, VecDeque<SessionId>>,
}

impl Table {
    fn remove(&mut self, session: &SessionId) {
        let Some(user) = self.owner.remove(session) else {
            return;
        };
        if let Some(list) = self.by_user.get_mut(&user) {
            list.retain(|id| id != session);
            if list.is_empty() {
                self.by_user.remove(&user);
            }
        }
    }
}

impl Owners {
    fn new(sessions: Arc<LocalSessionManager>) -> Self {
        Self {
            sessions,
            table: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A session no one owns is left to rmcp, which knows no such session either.
    fn may_use(&self, session: &SessionId, user: &str) -> bool {
        self.lock().owner.get(session).is_none_or(|owner| **owner == *user)
    }

    /// Records a new session; forgets this user's sessions that rmcp has
    /// since timed out, and closes the oldest past [`MAX_SESSIONS_PER_USER`].
    async fn opened(&self, session: SessionId, user: Arc<str>) {
        let listed: Vec<SessionId> = self.lock().by_user.get(&user).into_iter().flatten().cloned().collect();
        let live = self.sessions.sessions.read().await;
        let expired: Vec<SessionId> = listed.into_iter().filter(|id| !live.contains_key(id)).collect();
        drop(live);
        let oldest = {
            let mut table = self.lock();
            expired.iter().for_each(|id| table.remove(id));
            table.owner.insert(session.clone(), user.clone());
            let list = table.by_user.entry(user).or_default();
            list.push_back(session);
            if list.len() > MAX_SESSIONS_PER_USER {
                list.pop_front()
            } else {
                None
            }
        };
        if let Some(oldest) = oldest {
            self.lock().owner.remove(&oldest);
            if let Err(err) = self.sessions.close_session(&oldest).await {
                tracing::warn!(error = %err, "could not close an MCP session past the per-user limit");
            }
        }
    }

    fn closed(&self, session: &SessionId) {
        self.lock().remove(session);
    }
}
