//! `POST /chatkit`: the core's ChatKit entry point over HTTP. Streaming
//! request types answer `text/event-stream`; a client that disconnects drops
//! the stream, which cancels the turn.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tasktalk_core::chatkit;

use super::body::bytes_error;
use tasktalk_core::Services;

pub async fn chatkit(
    State(state): State<Services>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(err) => return bytes_error(&err).into_response(),
    };
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match state.chatkit.process(authorization, &body).await {
        chatkit::Response::Json { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(body)).into_response()
        }
        chatkit::Response::Stream(events) => {
            let frames = events.map(|event| Ok::<_, Infallible>(Bytes::from(event.to_sse())));
            let mut response = Response::new(Body::from_stream(frames));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            // Proxies such as nginx must pass events through as they come.
            headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
            response
        }
    }
}
