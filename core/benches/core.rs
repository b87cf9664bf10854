//! Core benchmarks; prints a Markdown table. Run with `scripts/bench.sh`
//! (needs TASKTALK_TEST_DATABASE_URL for the PostgreSQL rows).
//!
//! - sign-in: p50 of a full sign-in (lookup, argon2id verify, session insert)
//! - token issue / verify: mean per operation, HS256 and EdDSA
//! - bearer check: p50 of a verified bearer plus its account's lookup
//! - add: mean per task while filling 10 000 tasks for one user
//! - list: the first page (50 newest) of 10 000 tasks, all and pending
//! - due and search: overdue, due today and this week (soonest first), and a
//!   two-word search, over the same 10 000 tasks, three quarters of them with
//!   a due date spread over 200 days and a priority
//! - hostile text: the offline assistant's whole turn for each message of
//!   `testing::hostile` (16 KiB each), 200 tasks listed; the slowest counts
//!
//! - threads: `threads.search` and the first `threads.list` page through
//!   `ChatKit::process` (token check included) over 1 000 threads of 200
//!   messages each: a word in one message, a title, a word in every thread
//!   and a word in none (each message scanned)
//!
//! - turn: a streamed `threads.create`, then `threads.add_user_message` to
//!   it, through `ChatKit::process` (offline assistant) over PostgreSQL
//!   behind a proxy that holds each piece of data 5 ms in each direction, as
//!   a database across a network would: p50 of the whole turn, read to the
//!   end, and the round trips it made
//!
//! An argument picks the groups whose name contains it (`tokens`, `sqlite`,
//! `postgres`, `threads`, `hostile`, `turn`): `cargo bench -p tasktalk-core --bench core -- hostile`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use tasktalk_core::agent::{Agent, OfflineAssistant};
use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::chatkit::{ChatKit, Response};
use tasktalk_core::tasks::{Due, DueFilter, NewTask, Page, Priority, Sort, StatusFilter, TaskQuery, Tasks};
use tasktalk_core::testing::proxy::ProxiedChatKit;
use tasktalk_core::testing::{BETTER_AUTH_SECRET, TestDatabase, hostile};
use tasktalk_core::token::{JwtMode, TokenConfig, Tokens};
use tasktalk_core::{Secret, Timestamp, on_db};

const TASKS: usize = 10_000;
const SIGN_INS: usize = 30;
const TOKEN_OPS: u32 = 20_000;
const LIST_RUNS: usize = 300;
const HOSTILE_TASKS: u32 = 200;
const HOSTILE_RUNS: u32 = 20;
const THREADS: usize = 1_000;
const THREAD_MESSAGES: usize = 200;
const SEARCH_RUNS: usize = 50;
const TURN_RUNS: usize = 30;
const TURN_WARM_UP: usize = 5;
/// Held in each direction by the proxy in front of PostgreSQL.
const NETWORK_DELAY: Duration = Duration::from_millis(5);

struct Row {
    what: String,
    figure: String,
    target: &'static str,
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

/// The median time of `runs` runs of `op`.
async fn p50<F, Fut>(runs: usize, mut op: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        op().await;
        samples.push(start.elapsed());
    }
    percentile(&mut samples, 0.5)
}

fn fmt(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 1000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{micros:.2} µs")
    }
}

/// The tokens (HS256, the default) and a `Bearer` header for `user`.
async fn bearer_of(t: &TestDatabase, user: &tasktalk_core::auth::User) -> (Tokens, String) {
    let tokens = Tokens::load(&t.db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let bearer = format!("Bearer {}", tokens.issue(user).unwrap_or_else(|e| panic!("{e}")).token);
    (tokens, bearer)
}

async fn database_rows(name: &str, t: TestDatabase, rows: &mut Vec<Row>) {
    let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
    let signed = accounts
        .sign_up(
            "bench@example.com",
            "Bench",
            "correct horse battery",
            &ClientInfo::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sign_in = p50(SIGN_INS, || async {
        accounts
            .sign_in("bench@example.com", "correct horse battery", &ClientInfo::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    })
    .await;
    rows.push(Row {
        what: format!("sign-in p50 ({name})"),
        figure: fmt(sign_in),
        target: "30–150 ms",
    });

    // What every JWT route pays: the signature, then the account's primary-key lookup.
    let (tokens, bearer) = bearer_of(&t, &signed.user).await;
    let check = p50(LIST_RUNS, || async {
        tokens
            .authenticate(Some(&bearer))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    })
    .await;
    rows.push(Row {
        what: format!("bearer check with account lookup, p50 ({name})"),
        figure: fmt(check),
        target: "",
    });

    let calendar = Calendar::named("Europe/Paris").unwrap_or_else(|e| panic!("{e}"));
    let tasks = Tasks::with_calendar(t.db.clone(), calendar);
    let user = &signed.user.id;
    let start = Instant::now();
    for n in 0..TASKS {
        let task = tasks
            .create(user, spread(n, calendar))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if n % 3 == 0 {
            tasks.complete(user, task.id).await.unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // Two thirds of the time is adds, one third completes: report per operation.
    let ops = TASKS + TASKS.div_ceil(3);
    rows.push(Row {
        what: format!("add / complete, mean per op ({name})"),
        figure: fmt(start.elapsed() / ops as u32),
        target: "",
    });

    let due = |due: DueFilter| TaskQuery {
        status: StatusFilter::Pending,
        due: Some(due),
        sort: Sort::Due,
        ..TaskQuery::default()
    };
    let search = TaskQuery {
        text: Some("number 42".into()),
        ..TaskQuery::default()
    };
    let queries = [
        (
            format!("list first page of {TASKS}, all"),
            TaskQuery::status(StatusFilter::All),
            "< 5 ms",
        ),
        (
            format!("list first page of {TASKS}, pending"),
            TaskQuery::status(StatusFilter::Pending),
            "< 5 ms",
        ),
        (
            format!("overdue, first 50 of {TASKS} tasks"),
            due(DueFilter::Overdue),
            "< 20 ms",
        ),
        (
            format!("due today, first 50 of {TASKS} tasks"),
            due(DueFilter::Today),
            "< 20 ms",
        ),
        (
            format!("due this week, first 50 of {TASKS} tasks"),
            due(DueFilter::Week),
            "< 20 ms",
        ),
        (
            format!("search \"number 42\", first 50 of {TASKS} tasks"),
            search,
            "< 20 ms",
        ),
    ];
    for (label, query, target) in queries {
        let page = Page { limit: 50, offset: 0 };
        let mut samples = Vec::with_capacity(LIST_RUNS);
        for _ in 0..LIST_RUNS {
            let start = Instant::now();
            let listed = tasks.query(user, &query, page).await.unwrap_or_else(|e| panic!("{e}"));
            samples.push(start.elapsed());
            assert!(!listed.is_empty(), "{label}");
        }
        let p50 = percentile(&mut samples, 0.5);
        let p99 = percentile(&mut samples, 0.99);
        rows.push(Row {
            what: format!("{label} ({name})"),
            figure: format!("p50 {} / p99 {}", fmt(p50), fmt(p99)),
            target,
        });
    }
}

/// `THREADS` conversations of `THREAD_MESSAGES` messages for `user`, a word
/// `needle{n}` in the middle of thread n, "milk" in every thread.
async fn seed_threads(db: &tasktalk_core::db::Database, user: &str) {
    let now = Timestamp::now();
    for n in 0..THREADS {
        let at = now + TimeDelta::minutes(n as i64 - THREADS as i64);
        let id: i32 = on_db!(db, pool => sqlx::query_scalar(
            "insert into conversations (user_id, external_id, title, created_at, updated_at)
             values ($1, $2, $3, $4, $4) returning id")
            .bind(user).bind(format!("thr_bench_{n}")).bind(format!("plans for week {n}")).bind(at)
            .fetch_one(pool).await)
        .unwrap_or_else(|e| panic!("{e}"));
        let mut sql =
            String::from("insert into messages (conversation_id, user_id, role, content, created_at) values ");
        let rows: Vec<String> = (0..THREAD_MESSAGES)
            .map(|m| {
                let b = m * 3;
                format!("($1, $2, ${}, ${}, ${})", b + 3, b + 4, b + 5)
            })
            .collect();
        sql.push_str(&rows.join(", "));
        on_db!(db, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(id).bind(user);
            for m in 0..THREAD_MESSAGES {
                let (role, content) = if m % 2 == 0 {
                    ("USER", format!("please add a task to buy milk and call the office about report {m}"))
                } else if m == THREAD_MESSAGES / 2 + 1 {
                    ("ASSISTANT", format!("Added it. Your needle{n} is noted for tomorrow at 9:00."))
                } else {
                    ("ASSISTANT", format!("Added \"buy item {m}\" to your list; you have {m} open tasks."))
                };
                query = query.bind(role).bind(content).bind(at);
            }
            query.execute(pool).await.map(|_| ())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

async fn thread_rows(name: &str, t: TestDatabase, rows: &mut Vec<Row>) {
    let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
    let signed = accounts
        .sign_up(
            "threads@example.com",
            "Bench",
            "correct horse battery",
            &ClientInfo::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (tokens, bearer) = bearer_of(&t, &signed.user).await;
    let agent = Agent::new(Arc::new(OfflineAssistant::default()), Tasks::new(t.db.clone()));
    let chatkit = ChatKit::new(t.db.clone(), Arc::new(tokens), agent);
    let start = Instant::now();
    seed_threads(&t.db, &signed.user.id).await;
    rows.push(Row {
        what: format!("seed {THREADS} threads × {THREAD_MESSAGES} messages ({name})"),
        figure: fmt(start.elapsed()),
        target: "",
    });
    let requests = [
        (
            "threads.list, first 50",
            r#"{"type":"threads.list","params":{"limit":50}}"#.to_owned(),
            50,
        ),
        ("search a word of one message", search_body("needle500"), 1),
        ("search a title", search_body("week 999"), 1),
        ("search a word of every thread, first 50", search_body("milk"), 50),
        ("search a word in no message", search_body("zebra"), 0),
    ];
    for (label, body, expected) in requests {
        let mut samples = Vec::with_capacity(SEARCH_RUNS);
        for _ in 0..SEARCH_RUNS {
            let start = Instant::now();
            let response = chatkit.process(Some(&bearer), body.as_bytes()).await;
            samples.push(start.elapsed());
            let Response::Json { status: 200, body } = response else {
                panic!("{label}: {response:?}")
            };
            assert_eq!(body["data"].as_array().map(Vec::len), Some(expected), "{label}");
        }
        let p50 = percentile(&mut samples, 0.5);
        let p99 = percentile(&mut samples, 0.99);
        rows.push(Row {
            what: format!("{label}, {THREADS} threads × {THREAD_MESSAGES} messages ({name})"),
            figure: format!("p50 {} / p99 {}", fmt(p50), fmt(p99)),
            target: "< 200 ms",
        });
    }
}

fn search_body(query: &str) -> String {
    serde_json::json!({"type": "threads.search", "params": {"query": query, "limit": 50}}).to_string()
}

/// The `n`th bench task: one in four undated, the rest due between 100 days
/// ago and 100 days ahead (dates and times alternating), priorities in turn.
fn spread(n: usize, calendar: Calendar) -> NewTask {
    let offset = TimeDelta::hours((n as i64 * 37) % 4800 - 2400);
    let at = calendar.now() + offset;
    let due = match n % 4 {
        0 => None,
        1 => Some(Due::Date(calendar.to_local(at).date())),
        _ => Some(Due::At(at.into())),
    };
    NewTask {
        due,
        priority: Priority::ALL[n % 4],
        ..NewTask::titled(format!("task number {n}"))
    }
}

fn token_rows(tokens: &Tokens, mode: &str, rows: &mut Vec<Row>) {
    let user = tasktalk_core::auth::User {
        id: "CWECJ7yivG4cgrnURZaX9TKGPGTT76nF".into(),
        name: "Bench".into(),
        email: "bench@example.com".into(),
        email_verified: false,
        image: None,
        created_at: tasktalk_core::Timestamp::now(),
        updated_at: tasktalk_core::Timestamp::now(),
    };
    let start = Instant::now();
    let mut token = String::new();
    for _ in 0..TOKEN_OPS {
        token = tokens.issue(&user).unwrap_or_else(|e| panic!("{e}")).token;
    }
    rows.push(Row {
        what: format!("token issue ({mode})"),
        figure: fmt(start.elapsed() / TOKEN_OPS),
        target: "",
    });
    let start = Instant::now();
    for _ in 0..TOKEN_OPS {
        std::hint::black_box(
            tokens
                .verify(std::hint::black_box(&token))
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    rows.push(Row {
        what: format!("token verify ({mode}, the same token again)"),
        figure: fmt(start.elapsed() / TOKEN_OPS),
        target: "< 20 µs",
    });
    // Tokens of distinct users, so that each is verified for the first time.
    let fresh: Vec<String> = (0..TOKEN_OPS)
        .map(|n| {
            let owner = tasktalk_core::auth::User {
                id: format!("bench-user-{n}"),
                ..user.clone()
            };
            tokens.issue(&owner).unwrap_or_else(|e| panic!("{e}")).token
        })
        .collect();
    let start = Instant::now();
    for token in &fresh {
        std::hint::black_box(
            tokens
                .verify(std::hint::black_box(token))
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    rows.push(Row {
        what: format!("token verify ({mode}, a token not seen before)"),
        figure: fmt(start.elapsed() / TOKEN_OPS),
        target: "",
    });
}

/// The slowest whole turn of the offline assistant over the hostile messages.
fn hostile_rows(rows: &mut Vec<Row>) {
    let listing = hostile::listing(HOSTILE_TASKS);
    let messages = hostile::messages();
    let slowest = messages
        .iter()
        .map(|message| {
            let start = Instant::now();
            for _ in 0..HOSTILE_RUNS {
                std::hint::black_box(hostile::answer(std::hint::black_box(message), &listing));
            }
            start.elapsed() / HOSTILE_RUNS
        })
        .max()
        .unwrap_or_default();
    rows.push(Row {
        what: format!(
            "offline assistant, slowest whole turn of {} hostile messages of 16 KiB ({HOSTILE_TASKS} tasks listed)",
            messages.len()
        ),
        figure: fmt(slowest),
        target: "< 10 ms",
    });
}

/// Streamed turns over PostgreSQL 5 ms away (each way): their time and round trips.
async fn turn_rows(rows: &mut Vec<Row>) {
    let t = TestDatabase::postgres().await;
    let kit = ProxiedChatKit::start(&t, NETWORK_DELAY).await;
    let input = serde_json::json!({"content": [{"type": "input_text", "text": "hello"}], "attachments": [], "inference_options": {}});
    let create = serde_json::json!({"type": "threads.create", "params": {"input": input}});
    let mut thread = String::new();
    let (mut creates, mut adds) = (Vec::new(), Vec::new());
    let mut trips = (kit.proxy.take(), kit.proxy.take());
    // The first few warm the pool's connections and their prepared statements.
    for run in 0..TURN_RUNS + TURN_WARM_UP {
        kit.proxy.take();
        let start = Instant::now();
        let events = kit.stream(&create).await;
        creates.push(start.elapsed());
        trips.0 = kit.proxy.take();
        if let Some(tasktalk_core::chatkit::types::Event::ThreadCreated { thread: created }) = events.first() {
            thread.clone_from(&created.id);
        }
        let add =
            serde_json::json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input}});
        let start = Instant::now();
        kit.stream(&add).await;
        adds.push(start.elapsed());
        trips.1 = kit.proxy.take();
        if run < TURN_WARM_UP {
            creates.clear();
            adds.clear();
        }
    }
    for (what, samples, trips) in [
        ("threads.create", &mut creates, trips.0),
        ("threads.add_user_message", &mut adds, trips.1),
    ] {
        rows.push(Row {
            what: format!("{what}, streamed, read to the end, PostgreSQL 5 ms away each way"),
            figure: format!(
                "p50 {} ({} statement round trips, {} in all)",
                fmt(percentile(samples, 0.5)),
                trips.statements,
                trips.all
            ),
            target: "≤ 3 round trips",
        });
    }
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters the groups.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let runs = |group: &str| filter.as_deref().is_none_or(|f| group.contains(f));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let mut rows = Vec::new();
    runtime.block_on(async {
        let sqlite = TestDatabase::sqlite().await;
        let secret = TokenConfig::new(Secret::new(BETTER_AUTH_SECRET));
        if runs("tokens") {
            token_rows(
                &Tokens::load(&sqlite.db, secret.clone())
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
                "HS256",
                &mut rows,
            );
            let eddsa = Tokens::load(
                &sqlite.db,
                TokenConfig {
                    mode: JwtMode::EdDsa,
                    ..secret
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            token_rows(&eddsa, "EdDSA", &mut rows);
        }
        if runs("sqlite") {
            database_rows("SQLite", sqlite, &mut rows).await;
        }
        if runs("postgres") {
            database_rows("PostgreSQL", TestDatabase::postgres().await, &mut rows).await;
        }
        if runs("threads-sqlite") {
            thread_rows("SQLite", TestDatabase::sqlite().await, &mut rows).await;
        }
        if runs("threads-postgres") {
            thread_rows("PostgreSQL", TestDatabase::postgres().await, &mut rows).await;
        }
        if runs("turn") {
            turn_rows(&mut rows).await;
        }
    });
    if runs("hostile") {
        hostile_rows(&mut rows);
    }
    let mut table = String::from("| measure | result | target |\n|---|---|---|\n");
    for row in rows {
        table.push_str(&format!("| {} | {} | {} |\n", row.what, row.figure, row.target));
    }
    // The table is this binary's output.
    #[allow(clippy::print_stdout)]
    {
        print!("{table}");
    }
}
