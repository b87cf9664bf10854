//! Sign up, sign in, sign out, the current session, and the JWT for the chat.

use serde::Serialize;
use tasktalk_core::Timestamp;
use tasktalk_core::auth::{self, ClientInfo, SignedIn, User};
use tauri::State;

use crate::error::{Error, Result};
use crate::secrets::SESSION_TOKEN;
use crate::state::AppState;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionInfo {
    user: User,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    token: String,
    expires_at: Timestamp,
}

fn client() -> ClientInfo {
    ClientInfo {
        ip_address: None,
        user_agent: Some(format!("Tasktalk desktop {}", env!("CARGO_PKG_VERSION"))),
    }
}

/// Keeps the session token (in the keyring or the private file) and answers;
/// the new user's reminders are due from now on.
fn remember(state: &AppState, signed: SignedIn) -> Result<SessionInfo> {
    state.secrets.set(SESSION_TOKEN, &signed.session.token)?;
    state.wake_reminders.notify_one();
    Ok(SessionInfo { user: signed.user })
}

#[tauri::command]
pub async fn sign_up(state: State<'_, AppState>, email: String, name: String, password: String) -> Result<SessionInfo> {
    let signed = state
        .backend()
        .await?
        .services
        .accounts
        .sign_up(&email, &name, &password, &client())
        .await?;
    remember(&state, signed)
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, email: String, password: String) -> Result<SessionInfo> {
    let signed = state
        .backend()
        .await?
        .services
        .accounts
        .sign_in(&email, &password, &client())
        .await?;
    remember(&state, signed)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<()> {
    if let Ok(token) = state.session_token()
        && let Ok(backend) = state.backend().await
    {
        backend.services.accounts.sign_out(token.expose()).await?;
    }
    state.secrets.delete(SESSION_TOKEN)?;
    state.wake_reminders.notify_one();
    Ok(())
}

/// The person signed in last time, if their session still holds; `None` when
/// nobody signed in; `SESSION_EXPIRED` when the stored session ended.
#[tauri::command]
pub async fn current_session(state: State<'_, AppState>) -> Result<Option<SessionInfo>> {
    let token = match state.session_token() {
        Ok(token) => token,
        Err(Error::SignedOut) => return Ok(None),
        Err(other) => return Err(other),
    };
    match state.backend().await?.services.accounts.session(token.expose()).await {
        Ok(signed) => Ok(Some(SessionInfo { user: signed.user })),
        Err(auth::Error::SessionInvalid) => {
            state.secrets.delete(SESSION_TOKEN)?;
            Err(Error::SessionExpired)
        }
        Err(other) => Err(other.into()),
    }
}

/// A fresh JWT for the chat's `Authorization` header (the session slides).
#[tauri::command]
pub async fn auth_token(state: State<'_, AppState>) -> Result<AuthToken> {
    let token = state.session_token()?;
    let backend = state.backend().await?;
    let (_, issued) = backend
        .services
        .tokens
        .issue_for_session(&backend.services.accounts, token.expose())
        .await?;
    Ok(AuthToken {
        token: issued.token,
        expires_at: issued.expires_at,
    })
}
