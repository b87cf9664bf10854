//! `/api/tasks`: the signed-in user's tasks over REST (Bearer JWT).

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::Deserialize;
use tasktalk_core::tasks::{Page, StatusFilter, Task, TaskId, TaskUpdate};

use super::body::JsonBody;
use super::error::ApiError;
use super::rejection::QueryParams;
use tasktalk_core::Services;

/// The user id of a verified `Authorization: Bearer <jwt>` whose account exists.
pub struct AuthUser(pub String);

impl FromRequestParts<Services> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Services) -> Result<Self, ApiError> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        Ok(AuthUser(state.tokens.authenticate(header).await?.sub))
    }
}

/// The `{id}` of a task route. A segment that is not a task number (or not
/// even UTF-8) names no task: 404, like a missing one.
pub struct TaskPath(TaskId);

impl<S: Send + Sync> FromRequestParts<S> for TaskPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let segment = match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(segment)) => segment,
            Err(_) => parts.uri.path().rsplit('/').next().unwrap_or_default().to_owned(),
        };
        segment.parse().map(TaskPath).map_err(|_| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "TASK_NOT_FOUND",
                format!("Task {segment:?} was not found."),
            )
        })
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
}

#[derive(Deserialize)]
pub struct NewTask {
    title: String,
    #[serde(default)]
    description: Option<String>,
}

/// Any subset; `description: null` clears it.
#[derive(Deserialize)]
pub struct TaskPatch {
    #[serde(default)]
    title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
    #[serde(default)]
    completed: Option<bool>,
}

/// Tells a present `null` (clear) from an absent field (keep).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub async fn list(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<Vec<Task>>, ApiError> {
    let filter: StatusFilter = query.status.as_deref().unwrap_or("all").parse()?;
    let defaults = Page::default();
    let page = Page {
        limit: query.limit.unwrap_or(defaults.limit),
        offset: query.offset.unwrap_or(0),
    };
    Ok(Json(state.tasks.list(&user, filter, page).await?))
}

pub async fn create(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    JsonBody(body): JsonBody<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let task = state.tasks.add(&user, &body.title, body.description.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

pub async fn get(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    TaskPath(id): TaskPath,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(state.tasks.get(&user, id).await?))
}

pub async fn update(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    TaskPath(id): TaskPath,
    JsonBody(patch): JsonBody<TaskPatch>,
) -> Result<Json<Task>, ApiError> {
    let edits = TaskUpdate {
        title: patch.title,
        description: patch.description,
        completed: patch.completed,
        ..TaskUpdate::default()
    };
    Ok(Json(state.tasks.update(&user, id, edits).await?))
}

pub async fn delete(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    TaskPath(id): TaskPath,
) -> Result<StatusCode, ApiError> {
    state.tasks.delete(&user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
