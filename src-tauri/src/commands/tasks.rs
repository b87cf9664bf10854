//! The tasks panel's commands, for the signed-in user.

use tasktalk_core::tasks::{Page, StatusFilter, Task, TaskId, TaskUpdate};
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

#[tauri::command]
pub async fn tasks_list(state: State<'_, AppState>, status: StatusFilter) -> Result<Vec<Task>> {
    let (backend, user) = signed_in(&state).await?;
    let page = Page {
        limit: tasktalk_core::tasks::PAGE_MAX,
        offset: 0,
    };
    Ok(backend.services.tasks.list(&user, status, page).await?)
}

#[tauri::command]
pub async fn task_add<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
    description: Option<String>,
) -> Result<Task> {
    let (backend, user) = signed_in(&state).await?;
    let task = backend
        .services
        .tasks
        .add(&user, &title, description.as_deref())
        .await?;
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
