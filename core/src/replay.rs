//! A scripted HTTP/1.1 server for tests that talk to a model provider.
//!
//! It listens on `127.0.0.1:0`, records every request (method, path, headers,
//! body) and answers the n-th request with the n-th scripted [`Reply`]: a
//! status, headers and a body sent in chunks with optional delays, which can
//! end normally, be cut mid-body, or stall. It also tells whether the client
//! hung up before a body was finished, which is how tests check that dropping
//! a stream really closes the connection.
//!
//! ```no_run
//! # async fn demo() {
//! use tasktalk_core::agent::{OpenAiCompatible, OpenAiConfig};
//! use tasktalk_core::replay::{Reply, ReplayServer};
//!
//! let server = ReplayServer::start([Reply::openai_text(&["Hello", " there"])]).await;
//! let provider = OpenAiCompatible::new(OpenAiConfig::compatible(server.base_url(), "test-model"));
//! // ... stream from the provider, then:
//! let request = &server.requests()[0];
//! assert_eq!(request.path, "/v1/chat/completions");
//! # }
//! ```

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Largest request head accepted; a test never comes close.
const MAX_HEAD: usize = 64 * 1024;

/// How a reply's body ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// The terminating chunk is sent: a complete response.
    Complete,
    /// The connection is closed without the terminating chunk.
    Cut,
    /// Nothing more is sent and the connection stays open until the client leaves.
    Stall,
}

/// One scripted response. The body always goes out with chunked transfer
/// encoding, one HTTP chunk (and one write) per scripted chunk.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    head_delay: Duration,
    chunks: Vec<(Duration, Vec<u8>)>,
    end: End,
}

impl Reply {
    /// A status with no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            head_delay: Duration::ZERO,
            chunks: Vec::new(),
            end: End::Complete,
        }
    }

    /// An event stream sent as the given raw body pieces (SSE text, already
    /// framed with `data:` lines and blank lines).
    pub fn sse<I, C>(status: u16, chunks: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: Into<Vec<u8>>,
    {
        let mut reply = Self::new(status)
            .header("content-type", "text/event-stream")
            .header("cache-control", "no-cache");
        for chunk in chunks {
            reply = reply.chunk(chunk);
        }
        reply
    }

    /// An event stream with one `data: {event}\n\n` chunk per item, status 200.
    /// Pass `"[DONE]"` as the last item for an OpenAI-style terminator.
    pub fn sse_data<I, S>(events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::sse(200, events.into_iter().map(|e| format!("data: {}\n\n", e.as_ref())))
    }

    /// A JSON body (e.g. an error document) in one chunk.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::new(status)
            .header("content-type", "application/json")
            .chunk(body.into())
    }

    /// A complete OpenAI Chat Completions stream whose text arrives in these pieces.
    pub fn openai_text(pieces: &[&str]) -> Self {
        let mut events = vec![openai_chunk(json!({"role": "assistant", "content": ""}), None)];
        events.extend(pieces.iter().map(|p| openai_chunk(json!({"content": p}), None)));
        events.push(openai_chunk(json!({}), Some("stop")));
        events.push("[DONE]".to_owned());
        Self::sse_data(events)
    }

    /// A complete OpenAI stream that calls these tools: `(id, name, arguments)`.
    /// Each call's arguments are split in two pieces, as OpenAI streams them.
    pub fn openai_tool_calls(calls: &[(&str, &str, &str)]) -> Self {
        let mut events = vec![openai_chunk(json!({"role": "assistant", "content": null}), None)];
        for (index, (id, name, arguments)) in calls.iter().enumerate() {
            let middle = arguments
                .char_indices()
                .map(|(i, _)| i)
                .nth(arguments.chars().count() / 2)
                .unwrap_or(arguments.len());
            let (first, second) = arguments.split_at(middle);
            events.push(openai_chunk(
                json!({"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
                None,
            ));
            for piece in [first, second] {
                events.push(openai_chunk(
                    json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}),
                    None,
                ));
            }
        }
        events.push(openai_chunk(json!({}), Some("tool_calls")));
        events.push("[DONE]".to_owned());
        Self::sse_data(events)
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Appends a body chunk, sent right after the previous one.
    pub fn chunk(self, bytes: impl Into<Vec<u8>>) -> Self {
        self.chunk_after(Duration::ZERO, bytes)
    }

    /// Appends a body chunk, sent `delay` after the previous one.
    pub fn chunk_after(mut self, delay: Duration, bytes: impl Into<Vec<u8>>) -> Self {
        self.chunks.push((delay, bytes.into()));
        self
    }

    /// Waits `delay` before every chunk added so far.
    pub fn chunk_delay(mut self, delay: Duration) -> Self {
        for chunk in &mut self.chunks {
            chunk.0 = delay;
        }
        self
    }

    /// Waits `delay` before sending the status line and headers.
    pub fn delay_head(mut self, delay: Duration) -> Self {
        self.head_delay = delay;
        self
    }

    /// After the chunks, closes the connection without finishing the body.
    pub fn cut(mut self) -> Self {
        self.end = End::Cut;
        self
    }

    /// After the chunks, sends nothing more and keeps the connection open
    /// until the client gives up.
    pub fn stall(mut self) -> Self {
        self.end = End::Stall;
        self
    }
}

fn openai_chunk(delta: Value, finish_reason: Option<&str>) -> String {
    json!({
        "id": "chatcmpl-replay",
        "object": "chat.completion.chunk",
        "created": 1_750_000_000,
        "model": "gpt-4.1-mini-2025-04-14",
        "system_fingerprint": "fp_replay",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]
    })
    .to_string()
}

/// A request as the server received it. Header names are lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, e.g. `/v1/chat/completions`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn body_json(&self) -> serde_json::Result<Value> {
        serde_json::from_slice(&self.body)
    }
}

/// How serving one reply ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The whole reply was sent.
    Completed,
    /// The reply was cut as scripted.
    Cut,
    /// The client closed the connection before the reply was complete.
    ClientClosed,
}

#[derive(Debug)]
struct Served {
    request: RecordedRequest,
    outcome: Option<Outcome>,
}

#[derive(Debug, Default)]
struct State {
    replies: VecDeque<Reply>,
    exchanges: Vec<Served>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Bumped whenever a request or an outcome is recorded.
    changed: watch::Sender<()>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the recording from the others.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The running server; it stops (and drops its connections) when dropped.
#[derive(Debug)]
pub struct ReplayServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl ReplayServer {
    /// Starts serving; the replies answer incoming requests in order. A
    /// request beyond the script gets a 500 with an explanatory error body.
    pub async fn start(replies: impl IntoIterator<Item = Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("binding the replay server: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("reading the replay server's address: {e}"));
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                replies: replies.into_iter().collect(),
                exchanges: Vec::new(),
            }),
            changed: watch::channel(()).0,
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Self { addr, shared, accept }
    }

    /// `http://127.0.0.1:<port>/v1`: where an OpenAI-compatible base URL points.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.origin())
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a reply after the ones already scripted.
    pub fn push(&self, reply: Reply) {
        self.shared.lock().replies.push_back(reply);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().exchanges.iter().map(|e| e.request.clone()).collect()
    }

    pub fn request_count(&self) -> usize {
        self.shared.lock().exchanges.len()
    }

    /// How the reply to request `index` (0-based) ended, if it has.
    pub fn outcome_now(&self, index: usize) -> Option<Outcome> {
        self.shared.lock().exchanges.get(index).and_then(|e| e.outcome)
    }

    /// Waits until the reply to request `index` has ended. Wrap it in a
    /// timeout: it waits for as long as the request takes to arrive and end.
    pub async fn outcome(&self, index: usize) -> Outcome {
        let mut changes = self.shared.changed.subscribe();
        loop {
            if let Some(outcome) = self.outcome_now(index) {
                return outcome;
            }
            if changes.changed().await.is_err() {
                // The sender lives in `shared`, which we hold: unreachable.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Waits until at least `count` requests have arrived.
    pub async fn wait_for_requests(&self, count: usize) {
        let mut changes = self.shared.changed.subscribe();
        while self.request_count() < count {
            if changes.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Owned here so aborting this task aborts every connection too.
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                // Scripted chunks should leave as scripted, not be coalesced.
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(error = %e, "replay server: could not disable Nagle");
                }
                connections.spawn(serve_connection(stream, Arc::clone(&shared)));
            }
            Err(e) => {
                tracing::warn!(error = %e, "replay server: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Serves requests on one connection until it closes or a reply ends it.
async fn serve_connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buffer).await {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!(error = %e, "replay server: unreadable request");
                return;
            }
        };
        let (index, reply) = {
            let mut state = shared.lock();
            let index = state.exchanges.len();
            let reply = state.replies.pop_front().unwrap_or_else(|| {
                tracing::warn!(index, "replay server: no reply scripted for this request");
                Reply::json(
                    500,
                    json!({"error": {"message": format!("replay server: no reply scripted for request #{index}")}})
                        .to_string(),
                )
            });
            state.exchanges.push(Served { request, outcome: None });
            (index, reply)
        };
        shared.changed.send_replace(());
        let outcome = send_reply(&mut stream, &mut buffer, &reply).await;
        if let Some(exchange) = shared.lock().exchanges.get_mut(index) {
            exchange.outcome = Some(outcome);
        }
        shared.changed.send_replace(());
        if outcome != Outcome::Completed {
            return;
        }
    }
}

/// Reads one request into a record, keeping any bytes after it in `buffer`.
/// `None` when the client closed the connection between requests.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Option<RecordedRequest>> {
    let head_end = loop {
        if let Some(at) = find(buffer, b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request head too large"));
        }
        if read_more(stream, buffer).await? == 0 {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "chunked request bodies are not supported",
        ));
    }
    let length = match header("content-length") {
        Some(value) => value
            .parse::<usize>()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?,
        None => 0,
    };
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        if read_more(stream, buffer).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Ok(Some(RecordedRequest {
        method,
        path,
        headers,
        body,
    }))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..n]);
    Ok(n)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sends a reply while watching the socket: the client closing it before the
/// reply is complete ends the reply as `ClientClosed`.
async fn send_reply(stream: &mut TcpStream, buffer: &mut Vec<u8>, reply: &Reply) -> Outcome {
    let (mut reader, mut writer) = stream.split();
    let send = async {
        if !reply.head_delay.is_zero() {
            tokio::time::sleep(reply.head_delay).await;
        }
        let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("transfer-encoding: chunked\r\n\r\n");
        writer.write_all(head.as_bytes()).await?;
        writer.flush().await?;
        for (delay, bytes) in &reply.chunks {
            // Even a zero sleep waits for the next timer tick (about 1 ms).
            if !delay.is_zero() {
                tokio::time::sleep(*delay).await;
            }
            // An empty HTTP chunk would end the body.
            if bytes.is_empty() {
                continue;
            }
            let mut frame = format!("{:x}\r\n", bytes.len()).into_bytes();
            frame.extend_from_slice(bytes);
            frame.extend_from_slice(b"\r\n");
            writer.write_all(&frame).await?;
            writer.flush().await?;
        }
        match reply.end {
            End::Complete => {
                writer.write_all(b"0\r\n\r\n").await?;
                writer.flush().await?;
                Ok::<Outcome, io::Error>(Outcome::Completed)
            }
            End::Cut => Ok(Outcome::Cut),
            End::Stall => std::future::pending().await,
        }
    };
    let watch_close = async {
        let mut chunk = [0u8; 8192];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                // Only a next (pipelined) request can arrive here: keep it.
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::select! {
        // Send first: a reply that completes counts as completed even if the
        // client hangs up right after it.
        biased;
        sent = send => sent.unwrap_or(Outcome::ClientClosed),
        () = watch_close => Outcome::ClientClosed,
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
