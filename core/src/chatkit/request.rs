//! Parsing a request body into a typed request, with a precise message for
//! every way it can be wrong. Each request type is named once, in
//! [`parse_typed`]; the transports match the enums below exhaustively.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::Error;
use super::limits::Bounded;
use super::params::{
    AddMessageParams, CreateParams, FeedbackParams, ItemParams, ItemsListParams, ListParams, SearchParams,
    ThreadParams, ToolOutputParams, UpdateParams,
};

/// A request answered with a stream of events: one turn of the conversation.
#[derive(Debug)]
pub enum StreamRequest {
    CreateThread(CreateParams),
    AddUserMessage(AddMessageParams),
    AddClientToolOutput(ToolOutputParams),
    AddStructuredInput(ItemParams),
    RetryAfterItem(ItemParams),
    CustomAction(ThreadParams),
}

/// A request answered with one JSON body.
#[derive(Debug)]
pub enum JsonRequest {
    GetThread(ThreadParams),
    ListThreads(ListParams),
    ListItems(ItemsListParams),
    Feedback(FeedbackParams),
    UpdateThread(UpdateParams),
    DeleteThread(ThreadParams),
    /// Not in ChatKit: the built-in chat's search over titles and messages.
    SearchThreads(SearchParams),
}

#[derive(Debug)]
pub enum Request {
    Stream(StreamRequest),
    Json(JsonRequest),
    /// attachments.*, input.transcribe, threads.sync_custom_action: valid
    /// requests for features this server does not offer.
    Unsupported(&'static str),
}

impl Request {
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn is_streaming(&self) -> bool {
        matches!(self, Request::Stream(_))
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: Option<Value>,
    params: Option<Value>,
}

/// Every known type carries params, even one this server does not offer.
fn present(kind: &str, params: Option<Value>) -> Result<Value, Error> {
    params.ok_or_else(|| Error::BadRequest(format!("The {kind} request has no params.")))
}

/// The params of a request of a known type: present, well formed and within
/// the limits.
fn params<T: DeserializeOwned + Bounded>(kind: &str, params: Option<Value>) -> Result<T, Error> {
    let params = present(kind, params)?;
    let params: T =
        serde_json::from_value(params).map_err(|e| Error::BadRequest(format!("Invalid params for {kind}: {e}.")))?;
    params.check()?;
    Ok(params)
}

/// A known type whose feature this server does not offer: refused with
/// `message`, once its params are there.
fn unsupported(kind: &str, params: Option<Value>, message: &'static str) -> Result<Request, Error> {
    present(kind, params).map(|_| Request::Unsupported(message))
}

/// Parses a request body and checks it against the limits on what one request
/// may carry. Streaming-ness follows from the type alone.
pub fn parse(body: &[u8]) -> Result<Request, Error> {
    // Checked first: serde skips an unknown field's string unread.
    let text = std::str::from_utf8(body)
        .map_err(|_| Error::BadRequest("The request body is not valid JSON: it is not UTF-8 text.".into()))?;
    let envelope: Envelope = serde_json::from_str(text).map_err(|e| {
        if body.iter().all(u8::is_ascii_whitespace) {
            Error::BadRequest("The request body is empty: send a JSON object with type and params.".into())
        } else {
            Error::BadRequest(format!("The request body is not valid JSON: {e}."))
        }
    })?;
    match envelope.kind {
        Some(Value::String(kind)) => parse_typed(&kind, envelope.params),
        Some(_) => Err(Error::BadRequest("The request's type must be a string.".into())),
        None => Err(Error::BadRequest("The request has no type.".into())),
    }
}

fn parse_typed(kind: &str, p: Option<Value>) -> Result<Request, Error> {
    use JsonRequest as J;
    use StreamRequest as S;
    Ok(match kind {
        "threads.create" => Request::Stream(S::CreateThread(params(kind, p)?)),
        "threads.add_user_message" => Request::Stream(S::AddUserMessage(params(kind, p)?)),
        "threads.add_client_tool_output" => Request::Stream(S::AddClientToolOutput(params(kind, p)?)),
        "threads.add_structured_input" => Request::Stream(S::AddStructuredInput(params(kind, p)?)),
        "threads.retry_after_item" => Request::Stream(S::RetryAfterItem(params(kind, p)?)),
        "threads.custom_action" => Request::Stream(S::CustomAction(params(kind, p)?)),
        "threads.get_by_id" => Request::Json(J::GetThread(params(kind, p)?)),
        "threads.list" => Request::Json(J::ListThreads(params(kind, p)?)),
        "items.list" => Request::Json(J::ListItems(params(kind, p)?)),
        "items.feedback" => Request::Json(J::Feedback(params(kind, p)?)),
        "threads.update" => Request::Json(J::UpdateThread(params(kind, p)?)),
        "threads.delete" => Request::Json(J::DeleteThread(params(kind, p)?)),
        "threads.search" => Request::Json(J::SearchThreads(params(kind, p)?)),
        "attachments.create" | "attachments.delete" => {
            return unsupported(kind, p, "Attachments are not supported yet.");
        }
        "input.transcribe" => return unsupported(kind, p, "Dictation is not supported yet."),
        "threads.sync_custom_action" => return unsupported(kind, p, "Custom actions are not supported."),
        // Echoed only when short: the type is the client's, up to the body limit.
        _ if kind.chars().count() <= 64 => return Err(Error::BadRequest(format!("Unknown request type {kind:?}."))),
        _ => return Err(Error::BadRequest("Unknown request type.".to_owned())),
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::chatkit::types::Order;

    fn message(body: &str) -> String {
        match parse(body.as_bytes()) {
            Err(Error::BadRequest(m)) => m,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn every_malformed_shape_gets_its_own_message() {
        assert!(message("").contains("empty"));
        assert!(message(r#"{"type": "threads.list", "#).contains("not valid JSON"));
        assert!(message(r#"{"params": {}}"#).contains("no type"));
        assert!(message(r#"{"type": 3, "params": {}}"#).contains("must be a string"));
        assert!(message(r#"{"type": "threads.frobnicate", "params": {}}"#).contains("Unknown request type"));
        assert!(message(r#"{"type": "threads.get_by_id"}"#).contains("has no params"));
        let missing =
            message(r#"{"type": "threads.add_user_message", "params": {"thread_id": "t", "input": {"content": []}}}"#);
        assert!(missing.contains("attachments"), "{missing}");
        let kind =
            message(r#"{"type": "items.feedback", "params": {"thread_id": "t", "item_ids": [], "kind": "meh"}}"#);
        assert!(
            kind.contains("items.feedback") && kind.contains("unknown variant `meh`"),
            "{kind}"
        );
    }

    #[test]
    fn invalid_utf8_is_refused_even_in_an_ignored_field() {
        // Found by the chatkit_request fuzz target: serde skips an unknown
        // field's string without checking it is UTF-8.
        let body = b"{\"type\":\"threads.list\",\"params\":{},\"metadata\":\"\xa8\x9e\"}";
        match parse(body) {
            Err(Error::BadRequest(m)) => assert!(m.contains("not valid JSON"), "{m}"),
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn the_type_alone_decides_streaming() {
        let create = r#"{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}}},"metadata":{}}"#;
        assert!(parse(create.as_bytes()).map(|r| r.is_streaming()).unwrap_or(false));
        let list = r#"{"type":"threads.list","params":{}}"#;
        assert!(matches!(
            parse(list.as_bytes()),
            Ok(Request::Json(JsonRequest::ListThreads(ListParams {
                limit: None,
                order: Order::Desc,
                after: None
            })))
        ));
        let transcribe = r#"{"type":"input.transcribe","params":{"audio_base64":"","mime_type":"audio/webm"}}"#;
        assert!(matches!(parse(transcribe.as_bytes()), Ok(Request::Unsupported(_))));
    }
}
