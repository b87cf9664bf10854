//! ChatKit side by side: the official SDK's reference server (echo responder,
//! in-memory store) against `tasktalk-server serve` (offline assistant,
//! SQLite), loaded the same way in one run, one server at a time so they
//! never share the two cores. Prints Markdown tables.
//!
//! - `threads.list`, streamed `threads.create` and streamed
//!   `threads.add_user_message` (to 100 threads in turn), each for
//!   [`LOAD_SECONDS`] with 8 and with 1 000 connections, [`RUNS`] times, by
//!   `wrk` (one thread, the same Lua script for both servers, the body only
//!   differing by the bearer token): requests per second (the median run,
//!   with the spread of the runs), p50 and p99 of the median run;
//! - the first streamed event: a `threads.create` at a time, from sending
//!   the request to the first body bytes, p50 and p99;
//! - 1 000 `threads.create` streams started at once and read to the end:
//!   errors (a failed request or an `error` event), p99 of a whole turn, and
//!   the server's peak RSS;
//! - tasktalk only: its RSS idle, then with 1 000 streams held open mid-answer
//!   (the model is a local OpenAI-compatible server that sends one piece of
//!   text and then nothing), and so the memory one open stream costs.
//!
//! Run with `scripts/bench.sh`, which installs `wrk`, raises the open-file
//! limit and sets TASKTALK_BENCH_PYTHON to a Python with `openai-chatkit`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tasktalk_core::replay::{ReplayServer, Reply};

const LOAD_SECONDS: u32 = 10;
/// Each wrk load runs this many times: its table row gives the median and the spread.
const RUNS: usize = 3;
const CONNECTIONS: [u32; 2] = [8, 1000];
/// Threads made before the measures: what `threads.list` pages through.
const PREFILL: usize = 1000;
/// Threads `threads.add_user_message` writes to, in turn.
const ADD_THREADS: usize = 100;
const FIRST_EVENT_RUNS: usize = 300;
const STREAMS: usize = 1000;

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

impl Target {
    /// A `/proc/PID/status` figure in MiB: `VmRSS` now, `VmHWM` the peak.
    fn memory(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| {
                line.strip_prefix(field)?
                    .trim_start_matches(':')
                    .trim()
                    .strip_suffix("kB")
            })
            .and_then(|kb| kb.trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }
}

impl Target {
    /// CPU time used so far, in clock ticks (`utime` + `stime` of `/proc/PID/stat`).
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        // After the command: state is field 3, utime 14 and stime 15.
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        field(14) + field(15)
    }

    /// Waits until the server is idle: a client that gave up (wrk at the end
    /// of a run) leaves the requests it had sent queued in the server, which
    /// would otherwise slow the next measure.
    async fn settle(&self) {
        for _ in 0..240 {
            let before = self.cpu_ticks();
            tokio::time::sleep(Duration::from_millis(250)).await;
            if self.cpu_ticks() - before <= 1 {
                return;
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Measure {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

struct Report {
    /// Each load's runs, fastest first.
    loads: Vec<(String, Vec<Measure>)>,
    first_event: Measure,
    burst: Measure,
    idle_rss: f64,
    burst_peak_rss: f64,
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

fn create_body(n: usize) -> Value {
    json!({"type": "threads.create", "params": {"input": input(&format!("hello number {n}"))}})
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

const SECRET: &str = "bench-secret-0123456789abcdefghijklmnop";

fn cli(database: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasktalk-server"))
        .args(args)
        .env("DATABASE_URL", database)
        .env("BETTER_AUTH_SECRET", SECRET)
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

/// `serve` on a new SQLite file in `dir`, with these provider variables.
fn tasktalk(dir: &std::path::Path, provider: &[(&str, &str)]) -> Target {
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
        .env("BETTER_AUTH_SECRET", SECRET)
        .env("TASKTALK_PROVIDER", "offline")
        // Above the 1 000 connections and streams measured.
        .env("TASKTALK_MAX_CONNECTIONS", "4096")
        .envs(provider.iter().copied())
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

fn request(http: &reqwest::Client, target: &Target, body: &Value) -> reqwest::RequestBuilder {
    let request = http.post(&target.url).json(body);
    match &target.token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// A whole request, read to the end: its time, and its body unless it failed
/// (an error status, a broken connection or an `error` event).
async fn post(http: &reqwest::Client, target: &Target, body: &Value) -> (Duration, Option<String>) {
    let start = Instant::now();
    let text = match request(http, target, body).send().await {
        Ok(response) if response.status().is_success() => response.text().await.ok(),
        _ => None,
    };
    let ok = text.filter(|t| !t.contains(r#""type":"error""#) && !t.contains(r#""type": "error""#));
    (start.elapsed(), ok)
}

/// The id in a stream's `thread.created` event.
fn created_thread(stream: &str) -> Option<String> {
    let data = stream.lines().find_map(|line| line.strip_prefix("data: "))?;
    let event: Value = serde_json::from_str(data).ok()?;
    event["thread"]["id"].as_str().map(str::to_owned)
}

async fn wait_ready(http: &reqwest::Client, target: &Target) {
    for _ in 0..200 {
        let list = request(http, target, &json!({"type": "threads.list", "params": {}}));
        if list.send().await.map(|r| r.status().is_success()).unwrap_or(false) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} did not start", target.name);
}

fn percentiles(mut latencies: Vec<Duration>) -> (Duration, Duration) {
    latencies.sort_unstable();
    let at = |p: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    (at(0.5), at(0.99))
}

/// `count` requests, `concurrency` at a time, by this process's client; the
/// bodies of those that succeeded.
async fn load(
    http: &reqwest::Client,
    target: &Target,
    count: usize,
    concurrency: usize,
    body: impl Fn(usize) -> Value,
) -> (Measure, Vec<String>) {
    let start = Instant::now();
    let results: Vec<(Duration, Option<String>)> = futures_util::stream::iter((0..count).map(|n| {
        let body = body(n);
        async move { post(http, target, &body).await }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    let wall = start.elapsed();
    let errors = results.iter().filter(|(_, body)| body.is_none()).count();
    let (latencies, bodies): (Vec<Duration>, Vec<Option<String>>) = results.into_iter().unzip();
    let (p50, p99) = percentiles(latencies);
    let measure = Measure {
        rps: count as f64 / wall.as_secs_f64(),
        p50,
        p99,
        errors,
    };
    (measure, bodies.into_iter().flatten().collect())
}

/// From sending a streamed request to the first bytes of its body, one at a time.
async fn first_event(http: &reqwest::Client, target: &Target) -> Measure {
    let mut latencies = Vec::with_capacity(FIRST_EVENT_RUNS);
    let mut errors = 0;
    for n in 0..FIRST_EVENT_RUNS {
        let start = Instant::now();
        match request(http, target, &create_body(n)).send().await {
            Ok(mut response) => {
                match response.chunk().await {
                    Ok(Some(_)) => latencies.push(start.elapsed()),
                    _ => errors += 1,
                }
                while let Ok(Some(_)) = response.chunk().await {}
            }
            Err(_) => errors += 1,
        }
    }
    let (p50, p99) = percentiles(latencies);
    Measure {
        rps: f64::NAN,
        p50,
        p99,
        errors,
    }
}

/// A `wrk` run of [`LOAD_SECONDS`] posting `bodies` in turn.
fn wrk(dir: &std::path::Path, target: &Target, connections: u32, bodies: &[Value]) -> Measure {
    let mut script = String::from("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
    if let Some(token) = &target.token {
        script.push_str(&format!("wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"));
    }
    script.push_str("local bodies = {\n");
    for body in bodies {
        script.push_str(&format!("[==[{body}]==],\n"));
    }
    script.push_str(
        "}\nlocal n = 0\nrequest = function()\n  n = n % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[n])\nend\n",
    );
    let path = dir.join("load.lua");
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new("wrk")
        .args(["-t1", "--latency", "--timeout", "60s"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{LOAD_SECONDS}s"))
        .arg("-s")
        .arg(&path)
        .arg(&target.url)
        .output()
        .unwrap_or_else(|e| panic!("run wrk (scripts/bench.sh installs it): {e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk failed: {text}");
    parse_wrk(&text)
}

/// Requests/sec, the 50 % and 99 % latencies, and errors (socket errors and
/// responses that were not 2xx or 3xx) from `wrk --latency`'s report.
fn parse_wrk(report: &str) -> Measure {
    let field = |prefix: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix).map(|rest| rest.trim().to_owned()))
    };
    let duration = |text: Option<String>| {
        let text = text.unwrap_or_default();
        let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: f64 = number.parse().unwrap_or(f64::NAN);
        let seconds = match unit {
            "us" => number / 1e6,
            "ms" => number / 1e3,
            "s" => number,
            "m" => number * 60.0,
            _ => f64::NAN,
        };
        Duration::try_from_secs_f64(seconds).unwrap_or_default()
    };
    let socket_errors: usize = field("Socket errors:")
        .map(|errors| {
            errors
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<usize>().ok())
                .sum()
        })
        .unwrap_or(0);
    let bad_status: usize = field("Non-2xx or 3xx responses:")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Measure {
        rps: field("Requests/sec:").and_then(|n| n.parse().ok()).unwrap_or(f64::NAN),
        p50: duration(field("50%")),
        p99: duration(field("99%")),
        errors: socket_errors + bad_status,
    }
}

async fn measure(target: &Target, dir: &std::path::Path) -> Report {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(STREAMS)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    wait_ready(&http, target).await;
    let idle_rss = target.memory("VmRSS");
    let (_, created) = load(&http, target, PREFILL, 8, create_body).await;
    let threads: Vec<String> = created.iter().filter_map(|s| created_thread(s)).collect();
    assert_eq!(threads.len(), PREFILL, "{}: every prefill create succeeds", target.name);

    target.settle().await;
    let (burst, _) = load(&http, target, STREAMS, STREAMS, |n| create_body(PREFILL + n)).await;
    let burst_peak_rss = target.memory("VmHWM");

    let list = [json!({"type": "threads.list", "params": {"limit": 20}})];
    let creates: Vec<Value> = (0..100).map(create_body).collect();
    let adds: Vec<Value> = threads[..ADD_THREADS]
        .iter()
        .map(|id| json!({"type": "threads.add_user_message", "params": {"thread_id": id, "input": input("hello again")}}))
        .collect();
    let mut loads = Vec::new();
    let listed = format!("threads.list (20 of {})", PREFILL + STREAMS);
    for (name, bodies) in [
        (listed.as_str(), &list[..]),
        ("threads.create, streamed", &creates[..]),
        ("threads.add_user_message, streamed", &adds[..]),
    ] {
        for connections in CONNECTIONS {
            let mut runs = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                target.settle().await;
                runs.push(wrk(dir, target, connections, bodies));
            }
            runs.sort_by(|a, b| b.rps.total_cmp(&a.rps));
            loads.push((format!("{name} | {connections}"), runs));
        }
    }
    target.settle().await;
    let first_event = first_event(&http, target).await;
    Report {
        loads,
        first_event,
        burst,
        idle_rss,
        burst_peak_rss,
    }
}

/// One OpenAI stream chunk with this text, as the model server sends it.
fn text_chunk(text: &str) -> String {
    json!({"id": "bench", "object": "chat.completion.chunk", "created": 1_750_000_000, "model": "bench",
           "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]})
    .to_string()
}

/// RSS of a tasktalk server idle, then with [`STREAMS`] streams open mid-answer.
async fn open_streams(dir: &std::path::Path) -> (f64, f64) {
    let replies = (0..STREAMS).map(|_| Reply::sse_data([text_chunk("Thinking")]).stall());
    let model = ReplayServer::start(replies).await;
    let base_url = model.base_url();
    let target = tasktalk(
        dir,
        &[
            ("TASKTALK_PROVIDER", "openai-compatible"),
            ("TASKTALK_BASE_URL", &base_url),
            ("TASKTALK_MODEL", "bench"),
        ],
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(STREAMS)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    wait_ready(&http, &target).await;
    let idle = target.memory("VmRSS");
    let open = Arc::new(AtomicUsize::new(0));
    let (release, released) = tokio::sync::watch::channel(false);
    let mut streams = tokio::task::JoinSet::new();
    for n in 0..STREAMS {
        let (open, mut released) = (Arc::clone(&open), released.clone());
        let pending = request(&http, &target, &create_body(n)).send();
        streams.spawn(async move {
            let Ok(mut response) = pending.await else { return };
            let mut seen = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.contains("text_delta") {
                    open.fetch_add(1, Ordering::SeqCst);
                    let _ = released.wait_for(|r| *r).await;
                    return;
                }
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while open.load(Ordering::SeqCst) < STREAMS && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let opened = open.load(Ordering::SeqCst);
    assert_eq!(opened, STREAMS, "every stream reached the model's first words");
    let with_streams = target.memory("VmRSS");
    let _ = release.send(true);
    while streams.join_next().await.is_some() {}
    (idle, with_streams)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// A load's runs, fastest first: the median run, the slowest and the fastest req/s.
fn spread(runs: &[Measure]) -> (&Measure, f64, f64) {
    (&runs[runs.len() / 2], runs[runs.len() - 1].rps, runs[0].rps)
}

/// The median req/s with the slowest and fastest, and the errors of every run.
fn rps_cell(runs: &[Measure]) -> String {
    let (median, slowest, fastest) = spread(runs);
    let failed = errors(runs.iter().map(|m| m.errors).sum());
    format!("{:.0} ({slowest:.0}–{fastest:.0}){failed}", median.rps)
}

fn errors(count: usize) -> String {
    if count == 0 {
        String::new()
    } else {
        format!(" ({count} errors)")
    }
}

fn main() {
    let python = std::env::var("TASKTALK_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (ours, theirs, (open_idle, open_rss)) = runtime.block_on(async {
        // One server at a time, so neither competes with the other for the two cores.
        let reference = reference(&python);
        let theirs = measure(&reference, dir.path()).await;
        drop(reference);
        let offline = dir.path().join("offline");
        std::fs::create_dir_all(&offline).unwrap_or_else(|e| panic!("{e}"));
        let ours_target = tasktalk(&offline, &[]);
        let ours = measure(&ours_target, dir.path()).await;
        drop(ours_target);
        let held = dir.path().join("held");
        std::fs::create_dir_all(&held).unwrap_or_else(|e| panic!("{e}"));
        (ours, theirs, open_streams(&held).await)
    });
    let mut table = format!(
        "wrk loads: the median of {RUNS} runs (slowest–fastest); the ratio of the medians (the least and most \
         the runs allow); p50 / p99 of the median run. The rest: one run.\n\n\
         | operation | connections | reference req/s | tasktalk req/s | ratio | reference p50 / p99 ms | tasktalk p50 / p99 ms |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for ((name, our_runs), (_, their_runs)) in ours.loads.iter().zip(&theirs.loads) {
        let (reference, their_slowest, their_fastest) = spread(their_runs);
        let (mine, our_slowest, our_fastest) = spread(our_runs);
        let (least, most) = (our_slowest / their_fastest, our_fastest / their_slowest);
        table.push_str(&format!(
            "| {name} | {} | {} | {:.1}× ({least:.1}–{most:.1}×) | {} / {} | {} / {} |\n",
            rps_cell(their_runs),
            rps_cell(our_runs),
            mine.rps / reference.rps,
            ms(reference.p50),
            ms(reference.p99),
            ms(mine.p50),
            ms(mine.p99)
        ));
    }
    let (r, m) = (&theirs.burst, &ours.burst);
    table.push_str(&format!(
        "| {STREAMS} threads.create streams at once, whole turn | {STREAMS} | {:.0}{} | {:.0}{} | {:.1}× | {} / {} | {} / {} |\n",
        r.rps,
        errors(r.errors),
        m.rps,
        errors(m.errors),
        m.rps / r.rps,
        ms(r.p50),
        ms(r.p99),
        ms(m.p50),
        ms(m.p99)
    ));
    let (r, m) = (&theirs.first_event, &ours.first_event);
    table.push_str(&format!(
        "| first streamed event of threads.create (latency ratio) | 1 | | | {:.1}× | {} / {}{} | {} / {}{} |\n",
        r.p50.as_secs_f64() / m.p50.as_secs_f64(),
        ms(r.p50),
        ms(r.p99),
        errors(r.errors),
        ms(m.p50),
        ms(m.p99),
        errors(m.errors)
    ));
    table.push_str(&format!(
        "\n| memory (RSS) | reference | tasktalk |\n|---|---|---|\n\
         | idle, after start | {:.1} MiB | {:.1} MiB |\n\
         | peak while {STREAMS} streams ran at once | {:.1} MiB | {:.1} MiB |\n\
         | idle (model server: a local stub) | | {open_idle:.1} MiB |\n\
         | {STREAMS} streams open mid-answer | | {open_rss:.1} MiB |\n\
         | per open stream | | {:.1} KiB |\n",
        theirs.idle_rss,
        ours.idle_rss,
        theirs.burst_peak_rss,
        ours.burst_peak_rss,
        (open_rss - open_idle) * 1024.0 / STREAMS as f64
    ));
    #[allow(clippy::print_stdout)]
    {
        print!("{table}");
    }
}
