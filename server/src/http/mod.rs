//! `tasktalk-server serve`: the core over HTTP. Stateless apart from the
//! database, so several instances can share one PostgreSQL.

mod auth;
mod body;
mod chatkit;
pub mod connections;
mod error;
pub mod limit;
mod mcp;
mod rejection;
mod tasks;

use std::io::Write;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::routing::{any, get, post};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use error::ApiError;
use tasktalk_core::Services;

#[derive(Clone, Debug)]
pub struct HttpConfig {
    pub bind: SocketAddr,
    /// Origins allowed to call from a browser; none means same-origin only.
    pub cors_origins: Vec<HeaderValue>,
    pub max_body_bytes: usize,
    pub rate_limits: limit::LimitOptions,
    pub connections: connections::Limits,
}

/// `stop` ends MCP's open streams at shutdown, which would otherwise keep their connections open.
pub fn router(state: Services, config: &HttpConfig, stop: CancellationToken) -> Router {
    let mcp = mcp::Mcp::new(&state, &config.cors_origins, config.max_body_bytes, stop);
    let api = Router::new()
        .route("/api/auth/sign-up/email", post(auth::sign_up))
        .route("/api/auth/sign-in/email", post(auth::sign_in))
        .route("/api/auth/sign-out", post(auth::sign_out))
        .route("/api/auth/get-session", get(auth::get_session))
        .route("/api/auth/token", get(auth::token))
        .route("/api/auth/jwks", get(auth::jwks))
        .route("/api/tasks", get(tasks::list).post(tasks::create))
        .route(
            "/api/tasks/{id}",
            get(tasks::get).patch(tasks::update).delete(tasks::delete),
        )
        .route("/chatkit", post(chatkit::chatkit))
        .route("/mcp", any(mcp::handle).with_state(mcp))
        .route("/healthz", get(healthz))
        .route_layer(axum::middleware::from_fn_with_state(
            limit::Limiter::new(config.rate_limits.clone()),
            limit::enforce,
        ))
        // After the routes: it applies to those already added.
        .method_not_allowed_fallback(rejection::method_not_allowed)
        .fallback(rejection::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(TraceLayer::new_for_http());
    if config.cors_origins.is_empty() {
        return api;
    }
    api.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(config.cors_origins.clone()))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-request-id"),
            ]),
    )
}

async fn healthz(State(state): State<Services>) -> Result<axum::Json<Value>, ApiError> {
    if state.db.ping().await {
        Ok(axum::Json(json!({"status": "ok"})))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "DATABASE",
            "The database is unreachable.",
        ))
    }
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
pub async fn serve(state: Services, config: HttpConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "listening");
    // The one line on stdout: scripts and tests read the bound port from it.
    writeln!(std::io::stdout().lock(), "listening on http://{address}")?;
    let stop = CancellationToken::new();
    let app = router(state, &config, stop.clone());
    let shutdown = async move {
        shutdown_signal().await;
        stop.cancel();
    };
    connections::serve(listener, app, config.connections, shutdown).await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
