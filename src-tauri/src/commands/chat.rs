//! ChatKit over IPC: the UI's `fetch` hands the request here; JSON answers
//! return at once, streamed events go through a `Channel` as they come. No
//! port is opened. With a remote chat back end configured, the request is
//! forwarded to that HTTP endpoint instead, so the CSP stays closed.

use futures_util::StreamExt;
use serde::Serialize;
use tasktalk_core::chatkit::types::Event;
use tasktalk_core::chatkit::{self, EventStream};
use tasktalk_core::sse::{EVENT_LIMIT, SseDecoder};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tokio::sync::oneshot;

use super::tasks_changed;
use crate::error::{Error, Result};
use crate::state::AppState;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChatkitHead {
    status: u16,
    content_type: &'static str,
    body: Option<String>,
}

/// One message on the events channel: a server-sent event's JSON, or the end.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ChatkitChunk {
    Frame { data: String },
    End,
}

const JSON: &str = "application/json";
const EVENT_STREAM: &str = "text/event-stream";

#[tauri::command]
pub async fn chatkit<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request_id: String,
    authorization: Option<String>,
    body: String,
    events: Channel<ChatkitChunk>,
) -> Result<ChatkitHead> {
    let backend = state.backend().await?;
    if let Some(url) = backend.remote_chat {
        return forward(app, &state, &url, request_id, authorization, body, events).await;
    }
    match backend
        .services
        .chatkit
        .process(authorization.as_deref(), body.as_bytes())
        .await
    {
        chatkit::Response::Json { status, body } => Ok(ChatkitHead {
            status,
            content_type: JSON,
            body: Some(body.to_string()),
        }),
        chatkit::Response::Stream(stream) => {
            let stop = state.track_stream(&request_id);
            tauri::async_runtime::spawn(relay(app, request_id, stream, events, stop));
            Ok(ChatkitHead {
                status: 200,
                content_type: EVENT_STREAM,
                body: None,
            })
        }
    }
}

/// Stops a streaming request (the stop button): the turn cancels its model
/// request and keeps what was generated.
#[tauri::command]
pub async fn chatkit_cancel(state: State<'_, AppState>, request_id: String) -> Result<()> {
    if let Some(stop) = state.untrack_stream(&request_id) {
        let _ = stop.send(());
    }
    Ok(())
}

async fn relay<R: Runtime>(
    app: AppHandle<R>,
    request_id: String,
    mut stream: EventStream,
    events: Channel<ChatkitChunk>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        let event = tokio::select! {
            biased;
            _ = &mut stop => break,
            event = stream.next() => event,
        };
        let Some(event) = event else { break };
        if matches!(&event, Event::ClientEffect { name, .. } if name == "tasks.changed") {
            tasks_changed(&app);
        }
        let data = serde_json::to_string(&event).unwrap_or_default();
        if events.send(ChatkitChunk::Frame { data }).is_err() {
            break;
        }
    }
    // Dropping the stream here is what cancels an abandoned turn.
    drop(stream);
    app.state::<AppState>().untrack_stream(&request_id);
    let _ = events.send(ChatkitChunk::End);
}

/// Sends the request to a remote HTTP ChatKit endpoint and relays its answer.
async fn forward<R: Runtime>(
    app: AppHandle<R>,
    state: &AppState,
    url: &str,
    request_id: String,
    authorization: Option<String>,
    body: String,
    events: Channel<ChatkitChunk>,
) -> Result<ChatkitHead> {
    let mut request = state.http().post(url).header("content-type", JSON).body(body);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request
        .send()
        .await
        .map_err(|e| Error::Remote(e.without_url().to_string()))?;
    let status = response.status().as_u16();
    let streaming = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(EVENT_STREAM));
    if !streaming {
        let body = response
            .text()
            .await
            .map_err(|e| Error::Remote(e.without_url().to_string()))?;
        return Ok(ChatkitHead {
            status,
            content_type: JSON,
            body: Some(body),
        });
    }
    let mut stop = state.track_stream(&request_id);
    tauri::async_runtime::spawn(async move {
        let mut bytes = response.bytes_stream();
        // The core's one SSE decoder: UTF-8 split across chunks survives, and
        // a line or event over EVENT_LIMIT ends the relay.
        let mut sse = SseDecoder::default();
        'relay: loop {
            let chunk = tokio::select! {
                biased;
                _ = &mut stop => break,
                chunk = bytes.next() => chunk,
            };
            let Some(Ok(chunk)) = chunk else { break };
            for frame in sse.push(&chunk) {
                let (data, failed) = match frame {
                    Ok(data) => (data, false),
                    Err(fault) => {
                        tracing::warn!(?fault, "the remote chat back end sent an oversized event");
                        let error = Event::error(
                            format!(
                                "The chat back end sent an event larger than {} MiB; the answer was stopped there.",
                                EVENT_LIMIT >> 20
                            ),
                            true,
                        );
                        (serde_json::to_string(&error).unwrap_or_default(), true)
                    }
                };
                if events.send(ChatkitChunk::Frame { data }).is_err() || failed {
                    break 'relay;
                }
            }
        }
        app.state::<AppState>().untrack_stream(&request_id);
        let _ = events.send(ChatkitChunk::End);
    });
    Ok(ChatkitHead {
        status,
        content_type: EVENT_STREAM,
        body: None,
    })
}
