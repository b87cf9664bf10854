//! `/api/tasks`: the signed-in user's tasks over REST (Bearer JWT).

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::Deserialize;
use tasktalk_core::tasks::{self, Due, NewTask, Page, Priority, Task, TaskId, TaskQuery, TaskUpdate};

use super::body::JsonBody;
use super::error::ApiError;
use super::rejection::QueryParams;
use tasktalk_core::{Services, Timestamp};

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
    due: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
}

/// Instants are RFC 3339 strings; a date-only due is `due_at` at
/// 00:00:00Z with `due_all_day: true`.
#[derive(Deserialize)]
pub struct NewTaskBody {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    due_at: Option<String>,
    #[serde(default)]
    due_all_day: bool,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    remind_at: Option<String>,
}

/// Any subset; `null` clears `description`, `due_at`, `remind_at` and `priority`.
#[derive(Deserialize)]
pub struct TaskPatch {
    #[serde(default)]
    title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    due_at: Option<Option<String>>,
    #[serde(default)]
    due_all_day: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    priority: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    remind_at: Option<Option<String>>,
    #[serde(default)]
    completed: Option<bool>,
}

/// Tells a present `null` (clear) from an absent field (keep).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn instant(text: &str, field: &str) -> Result<Timestamp, tasks::Error> {
    Timestamp::parse_rfc3339(text).ok_or_else(|| {
        tasks::Error::InvalidRequest(format!(
            "{field} must be an RFC 3339 instant such as 2026-12-24T16:00:00Z (or with an offset, +01:00)."
        ))
    })
}

fn due(due_at: &str, all_day: bool) -> Result<Due, tasks::Error> {
    Due::from_wire(instant(due_at, "due_at")?, all_day)
}

pub async fn list(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<Vec<Task>>, ApiError> {
    let selected = TaskQuery {
        status: query.status.as_deref().unwrap_or("all").parse()?,
        due: query.due.as_deref().map(str::parse).transpose()?,
        priority: query.priority.as_deref().map(str::parse).transpose()?,
        text: query.q,
        sort: query.sort.as_deref().map(str::parse).transpose()?.unwrap_or_default(),
    };
    let defaults = Page::default();
    let page = Page {
        limit: query.limit.unwrap_or(defaults.limit),
        offset: query.offset.unwrap_or(0),
    };
    Ok(Json(state.tasks.query(&user, &selected, page).await?))
}

pub async fn create(
    State(state): State<Services>,
    AuthUser(user): AuthUser,
    JsonBody(body): JsonBody<NewTaskBody>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let new = NewTask {
        description: body.description,
        due: body.due_at.as_deref().map(|at| due(at, body.due_all_day)).transpose()?,
        remind_at: body
            .remind_at
            .as_deref()
            .map(|at| instant(at, "remind_at"))
            .transpose()?,
        priority: body
            .priority
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
        ..NewTask::titled(body.title)
    };
    let task = state.tasks.create(&user, new).await?;
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
    if patch.due_all_day.is_some() && patch.due_at.is_none() {
        return Err(tasks::Error::InvalidRequest("Send due_at with due_all_day.".into()).into());
    }
    let all_day = patch.due_all_day.unwrap_or(false);
    let edits = TaskUpdate {
        title: patch.title,
        description: patch.description,
        due: patch
            .due_at
            .map(|at| at.map(|at| due(&at, all_day)).transpose())
            .transpose()?,
        remind_at: patch
            .remind_at
            .map(|at| at.map(|at| instant(&at, "remind_at")).transpose())
            .transpose()?,
        priority: patch
            .priority
            .map(|p| p.as_deref().map_or(Ok(Priority::None), str::parse))
            .transpose()?,
        completed: patch.completed,
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
