//! ChatKit side by side: the official SDK's reference server (echo responder,
//! in-memory store) against `tasktalk-server serve` (offline assistant,
//! SQLite), loaded the same way in one run. Prints a Markdown table.
//!
//! Run with `scripts/bench.sh`, which sets TASKTALK_BENCH_PYTHON to a Python
//! with `openai-chatkit` installed.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

const CONCURRENCY: usize = 8;
const CREATES: usize = 300;
const THREADS: usize = 1000;
const LISTS: usize = 1000;
const STREAMS: usize = 100;

struct Target {
    name: &'static str,
    url: String,
    token: Option<String>,
    child: Child,
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Measure {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18765)
}

fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

fn reference(python: &str) -> Target {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance/reference_server.py");
    let port = free_port();
    let child = Command::new(python)
        .args([script, "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start the reference server: {e}"));
    Target {
        name: "reference (SDK 1.6.5)",
        url: format!("http://127.0.0.1:{port}/chatkit"),
        token: None,
        child,
    }
}

fn cli(database: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasktalk-server"))
        .args(args)
        .env("DATABASE_URL", database)
        .env("BETTER_AUTH_SECRET", "bench-secret-0123456789abcdefghijklmnop")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut pipe) = child.stdin.take() {
        use std::io::Write;
        let _ = pipe.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tasktalk(dir: &std::path::Path) -> Target {
    let database = dir.join("bench.db").display().to_string();
    cli(
        &database,
        &["user", "create", "--email", "bench@example.com", "--name", "Bench"],
        "bench-password\n",
    );
    let signed: Value = serde_json::from_str(&cli(
        &database,
        &["sign-in", "--email", "bench@example.com"],
        "bench-password\n",
    ))
    .unwrap_or_else(|e| panic!("sign-in output: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasktalk-server"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &database)
        .env("BETTER_AUTH_SECRET", "bench-secret-0123456789abcdefghijklmnop")
        .env("TASKTALK_PROVIDER", "offline")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let base = line.trim().trim_start_matches("listening on ").to_owned();
    Target {
        name: "tasktalk",
        url: format!("{base}/chatkit"),
        token: signed["token"].as_str().map(str::to_owned),
        child,
    }
}

async fn post(http: &reqwest::Client, target: &Target, body: &Value) -> (Duration, String) {
    let mut request = http.post(&target.url).json(body);
    if let Some(token) = &target.token {
        request = request.bearer_auth(token);
    }
    let start = Instant::now();
    let response = request.send().await.unwrap_or_else(|e| panic!("{}: {e}", target.name));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{}: {status} {text}", target.name);
    (start.elapsed(), text)
}

async fn wait_ready(http: &reqwest::Client, target: &Target) {
    for _ in 0..200 {
        let mut request = http
            .post(&target.url)
            .json(&json!({"type": "threads.list", "params": {}}));
        if let Some(token) = &target.token {
            request = request.bearer_auth(token);
        }
        if request.send().await.map(|r| r.status().is_success()).unwrap_or(false) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} did not start", target.name);
}

/// `count` requests, `concurrency` at a time; throughput and latency.
async fn load(
    http: &reqwest::Client,
    target: &Target,
    count: usize,
    concurrency: usize,
    body: impl Fn(usize) -> Value,
) -> Measure {
    let start = Instant::now();
    let mut latencies: Vec<Duration> = futures_util::stream::iter((0..count).map(|n| {
        let body = body(n);
        async move { post(http, target, &body).await.0 }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    let wall = start.elapsed();
    latencies.sort_unstable();
    let at = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    Measure {
        rps: count as f64 / wall.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
    }
}

async fn measure(target: &Target) -> Vec<(String, Measure)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(STREAMS)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    wait_ready(&http, target).await;
    let create = |n: usize| json!({"type": "threads.create", "params": {"input": input(&format!("hello number {n}"))}});
    let mut rows = Vec::new();
    rows.push((
        "threads.create, read to end".to_owned(),
        load(&http, target, CREATES, CONCURRENCY, create).await,
    ));
    // Fill up to 1 000 threads, then list.
    load(&http, target, THREADS - CREATES, CONCURRENCY, create).await;
    let (_, page) = post(&http, target, &json!({"type": "threads.list", "params": {"limit": 1}})).await;
    let thread = serde_json::from_str::<Value>(&page).unwrap_or_default()["data"][0]["id"].clone();
    let list = |_: usize| json!({"type": "threads.list", "params": {"limit": 20}});
    rows.push((
        format!("threads.list (20 of {THREADS})"),
        load(&http, target, LISTS, CONCURRENCY, list).await,
    ));
    let items = |_: usize| json!({"type": "items.list", "params": {"thread_id": thread}});
    rows.push((
        "items.list".to_owned(),
        load(&http, target, LISTS, CONCURRENCY, items).await,
    ));
    rows.push((
        format!("{STREAMS} concurrent streams"),
        load(&http, target, STREAMS, STREAMS, create).await,
    ));
    rows
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let python = std::env::var("TASKTALK_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (ours, theirs) = runtime.block_on(async {
        // One server at a time, so neither competes with the other for the two cores.
        let reference = reference(&python);
        let theirs = measure(&reference).await;
        drop(reference);
        let ours = tasktalk(dir.path());
        (measure(&ours).await, theirs)
    });
    let mut table = String::from(
        "| operation | reference req/s | tasktalk req/s | ratio | reference p50 / p99 ms | tasktalk p50 / p99 ms |\n|---|---|---|---|---|---|\n",
    );
    for ((name, mine), (_, reference)) in ours.iter().zip(&theirs) {
        table.push_str(&format!(
            "| {name} | {:.0} | {:.0} | {:.1}× | {} / {} | {} / {} |\n",
            reference.rps,
            mine.rps,
            mine.rps / reference.rps,
            ms(reference.p50),
            ms(reference.p99),
            ms(mine.p50),
            ms(mine.p99)
        ));
    }
    #[allow(clippy::print_stdout)]
    {
        print!("{table}");
    }
}
