//! The tasks panel's commands, for the signed-in user.

use serde::Serialize;
use tasktalk_core::tasks::{
    DueFilter, NewTask, PAGE_MAX, Page, Priority, Sort, StatusFilter, Task, TaskId, TaskQuery, TaskUpdate,
};
use tauri::{AppHandle, Runtime, State};

use super::tasks_changed;
use crate::error::Result;
use crate::state::{AppState, Backend};

/// The core and the id of the user the stored session belongs to.
pub(super) async fn signed_in(state: &AppState) -> Result<(Backend, String)> {
    let token = state.session_token()?;
    let backend = state.backend().await?;
    let user = backend.services.accounts.session(token.expose()).await?.user;
    Ok((backend, user.id))
}

/// How many tasks each due filter of the panel holds.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DueCounts {
    all: u32,
    overdue: u32,
    today: u32,
    week: u32,
    none: u32,
}

/// A page of up to 500 tasks from `offset` (the panel loads the next page
/// on demand); every filter optional, newest first unless `sort` says otherwise.
#[tauri::command]
pub async fn tasks_list(
    state: State<'_, AppState>,
    status: StatusFilter,
    due: Option<DueFilter>,
    priority: Option<Priority>,
    query: Option<String>,
    sort: Option<Sort>,
    offset: Option<u32>,
) -> Result<Vec<Task>> {
    let (backend, user) = signed_in(&state).await?;
    let selected = TaskQuery {
        status,
        due,
        priority,
        text: query,
        sort: sort.unwrap_or_default(),
    };
    let page = Page {
        limit: PAGE_MAX,
        offset: offset.unwrap_or(0),
    };
    Ok(backend.services.tasks.query(&user, &selected, page).await?)
}

/// The counts shown on the due filters, under the other filters.
#[tauri::command]
pub async fn tasks_counts(
    state: State<'_, AppState>,
    status: StatusFilter,
    priority: Option<Priority>,
    query: Option<String>,
) -> Result<DueCounts> {
    let (backend, user) = signed_in(&state).await?;
    let (tasks, user) = (&backend.services.tasks, user.as_str());
    let count = |due: Option<DueFilter>| {
        let selected = TaskQuery {
            status,
            due,
            priority,
            text: query.clone(),
            sort: Sort::default(),
        };
        async move { Ok::<_, crate::Error>(u32::try_from(tasks.count(user, &selected).await?).unwrap_or(u32::MAX)) }
    };
    Ok(DueCounts {
        all: count(None).await?,
        overdue: count(Some(DueFilter::Overdue)).await?,
        today: count(Some(DueFilter::Today)).await?,
        week: count(Some(DueFilter::Week)).await?,
        none: count(Some(DueFilter::None)).await?,
    })
}

/// `due` as the panel's picker gives it: a local date (`2026-12-24`) or
/// date and time (`2026-12-24T17:00`).
#[tauri::command]
pub async fn task_add<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
    description: Option<String>,
    due: Option<String>,
    priority: Option<Priority>,
) -> Result<Task> {
    let (backend, user) = signed_in(&state).await?;
    let tasks = &backend.services.tasks;
    let new = NewTask {
        description,
        due: due.as_deref().map(|due| tasks.calendar().parse_due(due)).transpose()?,
        priority: priority.unwrap_or_default(),
        ..NewTask::titled(title)
    };
    let task = tasks.create(&user, new).await?;
    tasks_changed(&app);
    Ok(task)
}

/// Sets a task's due date (`None` removes it; as for `task_add`) and priority.
#[tauri::command]
pub async fn task_schedule<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: TaskId,
    due: Option<String>,
    priority: Priority,
) -> Result<Task> {
    let (backend, user) = signed_in(&state).await?;
    let tasks = &backend.services.tasks;
    let update = TaskUpdate {
        due: Some(due.as_deref().map(|due| tasks.calendar().parse_due(due)).transpose()?),
        priority: Some(priority),
        ..TaskUpdate::default()
    };
    let task = tasks.update(&user, id, update).await?;
    tasks_changed(&app);
    Ok(task)
}

#[tauri::command]
pub async fn task_update<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: TaskId,
    title: Option<String>,
    description: Option<String>,
) -> Result<Task> {
    let (backend, user) = signed_in(&state).await?;
    let update = TaskUpdate {
        title,
        description: description.map(Some),
        ..TaskUpdate::default()
    };
    let task = backend.services.tasks.update(&user, id, update).await?;
    tasks_changed(&app);
    Ok(task)
}

#[tauri::command]
pub async fn task_set_completed<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: TaskId,
    completed: bool,
) -> Result<Task> {
    let (backend, user) = signed_in(&state).await?;
    let task = backend.services.tasks.set_completed(&user, id, completed).await?;
    tasks_changed(&app);
    Ok(task)
}

#[tauri::command]
pub async fn task_delete<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: TaskId) -> Result<()> {
    let (backend, user) = signed_in(&state).await?;
    backend.services.tasks.delete(&user, id).await?;
    tasks_changed(&app);
    Ok(())
}
