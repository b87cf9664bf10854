//! `tasktalk-server serve` as a real process, and reading what it streams:
//! shared by the test files that start servers.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tasktalk_core::sse::SseDecoder;
use tasktalk_core::testing::BETTER_AUTH_SECRET;

pub const PASSWORD: &str = "correct horse battery";

/// A running server; stopped with SIGTERM when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Server {
    pub fn start(url: &str, extra_env: &[(&str, &str)], args: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tasktalk-server"));
        command
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .env("DATABASE_URL", url)
            .env("BETTER_AUTH_SECRET", BETTER_AUTH_SECRET)
            .env("TASKTALK_PROVIDER", "offline")
            .env("RUST_LOG", "error")
            // Tests sign in more often than a person; the limit's own tests set it.
            .env("TASKTALK_SIGN_IN_RATE_LIMIT", "1000/10")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap_or_else(|e| panic!("start the server: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("{e}"));
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server {
            child,
            base,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn post(&self, path: &str, bearer: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, bearer, Some(body)).await
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, bearer, None).await
    }

    /// Signs up and returns (user id, session token, JWT).
    pub async fn user(&self, email: &str) -> (String, String, String) {
        let (status, body) = self
            .post(
                "/api/auth/sign-up/email",
                None,
                json!({"email": email, "password": PASSWORD, "name": "Tester"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session = body["token"].as_str().unwrap_or_default().to_owned();
        let (status, jwt) = self.get("/api/auth/token", Some(&session)).await;
        assert_eq!(status, StatusCode::OK, "{jwt}");
        (
            body["user"]["id"].as_str().unwrap_or_default().to_owned(),
            session,
            jwt["token"].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Starts a streamed turn that opens a thread with `text` and reads it
    /// up to the model's first text: the response, still streaming, and
    /// what was read.
    pub async fn turn_until_first_text(&self, jwt: &str, text: &str) -> (reqwest::Response, String) {
        let mut response = self
            .http
            .post(self.url("/chatkit"))
            .bearer_auth(jwt)
            .json(&json!({"type": "threads.create", "params": {"input": input(text)}}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut seen = String::new();
        while !seen.contains("text_delta") {
            let chunk = response
                .chunk()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("stream ended: {seen}"));
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        (response, seen)
    }

    /// A ChatKit call: (status, content type, body text).
    pub async fn chatkit(&self, jwt: &str, body: Value) -> (StatusCode, String, String) {
        let response = self
            .http
            .post(self.url("/chatkit"))
            .bearer_auth(jwt)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, response.text().await.unwrap_or_default())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
        }
        let _ = self.child.wait();
    }
}

/// The assistant's text in a turn's events.
pub fn reply(events: &[Value]) -> String {
    events
        .iter()
        .filter(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "assistant_message")
        .filter_map(|e| e["item"]["content"][0]["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON events of an SSE body, read by the core's decoder.
pub fn events(sse: &str) -> Vec<Value> {
    let mut decoder = SseDecoder::default();
    let mut data: Vec<String> = decoder
        .push(sse.as_bytes())
        .into_iter()
        .map(|event| event.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    data.extend(decoder.finish());
    data.iter().filter_map(|json| serde_json::from_str(json).ok()).collect()
}

pub fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}
