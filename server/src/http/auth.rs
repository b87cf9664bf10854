//! Better Auth's email + password routes, same request and response shapes;
//! the session token travels as `Authorization: Bearer`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use tasktalk_core::auth::ClientInfo;
use tasktalk_core::token::bearer_token;

use super::body::JsonBody;
use super::error::ApiError;
use super::limit::ClientAddress;
use tasktalk_core::Services;

#[derive(Deserialize)]
pub struct SignUpBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
pub struct SignInBody {
    email: String,
    password: String,
}

/// The address is the one the per-client limits counted (X-Forwarded-For
/// only from a trusted proxy), never a header taken on trust.
fn client(headers: &HeaderMap, address: ClientAddress) -> ClientInfo {
    ClientInfo {
        ip_address: Some(address.0.to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

fn session_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Send the session token as `Authorization: Bearer`.",
            )
            .flat()
        })
}

pub async fn sign_up(
    State(state): State<Services>,
    Extension(address): Extension<ClientAddress>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SignUpBody>,
) -> Result<Json<Value>, ApiError> {
    let signed = state
        .accounts
        .sign_up(&body.email, &body.name, &body.password, &client(&headers, address))
        .await?;
    Ok(Json(json!({"token": signed.session.token, "user": signed.user})))
}

pub async fn sign_in(
    State(state): State<Services>,
    Extension(address): Extension<ClientAddress>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<Json<Value>, ApiError> {
    let signed = state
        .accounts
        .sign_in(&body.email, &body.password, &client(&headers, address))
        .await?;
    Ok(Json(
        json!({"redirect": false, "token": signed.session.token, "user": signed.user}),
    ))
}

pub async fn sign_out(State(state): State<Services>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    state.accounts.sign_out(session_token(&headers)?).await?;
    Ok(Json(json!({"success": true})))
}

pub async fn get_session(State(state): State<Services>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let signed = state.accounts.session(session_token(&headers)?).await?;
    Ok(Json(json!({"session": signed.session, "user": signed.user})))
}

pub async fn token(State(state): State<Services>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let (_, issued) = state
        .tokens
        .issue_for_session(&state.accounts, session_token(&headers)?)
        .await?;
    Ok(Json(json!({"token": issued.token})))
}

pub async fn jwks(State(state): State<Services>) -> Json<Value> {
    Json(serde_json::to_value(state.tokens.jwks()).unwrap_or_else(|_| json!({"keys": []})))
}
