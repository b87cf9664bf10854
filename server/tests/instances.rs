//! Several `tasktalk-server serve` instances on one PostgreSQL: started
//! together on an empty database, under load at once, one killed
//! mid-stream; and the same behind PgBouncer in transaction mode.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{PASSWORD, Server, events, input, reply};
use tasktalk_core::replay::{ReplayServer, Reply};
use tasktalk_core::testing::{PooledDatabase, TestDatabase};

/// An instance to start: its environment beyond [`Server::start`]'s.
type Config<'a> = &'a [(&'a str, &'a str)];

/// Starts the instances at the same moment, as a deployment's units start:
/// they migrate the database (and make the EdDSA key) together.
fn start_together(url: &str, configs: &[Config<'_>]) -> Vec<Server> {
    std::thread::scope(|scope| {
        let starting: Vec<_> = configs
            .iter()
            .map(|config| scope.spawn(move || Server::start(url, config, &[])))
            .collect();
        starting
            .into_iter()
            .map(|started| started.join().unwrap_or_else(|_| panic!("an instance did not start")))
            .collect()
    })
}

#[derive(Clone, Debug)]
struct Person {
    email: String,
    jwt: String,
}

async fn sign_up(server: &Server, email: String) -> Person {
    let (_, _, jwt) = server.user(&email).await;
    Person { email, jwt }
}

/// A request that may fail (its instance may be gone): the status and body.
async fn attempt(server: &Server, path: &str, jwt: &str, body: Value) -> Result<(StatusCode, String), String> {
    let response = server
        .http
        .post(server.url(path))
        .bearer_auth(jwt)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{path}: {e}"))?;
    Ok((status, text))
}

/// What a request that succeeded wrote.
#[derive(Debug)]
enum Written {
    Task { owner: String, title: String },
    Thread { owner: String, id: String, items: usize },
}

async fn write_task(server: &Server, person: &Person, title: String) -> Result<Written, String> {
    let (status, body) = attempt(server, "/api/tasks", &person.jwt, json!({"title": title})).await?;
    if !status.is_success() {
        return Err(format!("task {title}: {status} {body}"));
    }
    Ok(Written::Task {
        owner: person.email.clone(),
        title,
    })
}

/// A streamed turn with the offline assistant that adds the task `title`.
async fn turn(server: &Server, person: &Person, title: String) -> Result<Written, String> {
    let request = json!({"type": "threads.create", "params": {"input": input(&format!("add a task to {title}"))}});
    let (status, body) = attempt(server, "/chatkit", &person.jwt, request).await?;
    let streamed = events(&body);
    let done = streamed.iter().filter(|e| e["type"] == "thread.item.done").count();
    let failed = streamed.iter().any(|e| e["type"] == "error");
    if status != StatusCode::OK || failed || !reply(&streamed).contains(&title) {
        return Err(format!("turn {title}: {status} {body}"));
    }
    Ok(Written::Thread {
        owner: person.email.clone(),
        id: streamed[0]["thread"]["id"].as_str().unwrap_or_default().to_owned(),
        items: done,
    })
}

/// Everyone at once on `server`: `tasks` task writes each and, when
/// `turns`, two streamed turns each (which add a task each too).
async fn load(
    server: &Server,
    people: &[Person],
    round: &str,
    tasks: usize,
    turns: bool,
) -> Vec<Result<Written, String>> {
    let turns = if turns { 2 } else { 0 };
    let mut work = Vec::new();
    for (p, person) in people.iter().enumerate() {
        for n in 0..tasks {
            work.push(futures_util::future::Either::Left(write_task(
                server,
                person,
                format!("{round} task {p}-{n}"),
            )));
        }
        for n in 0..turns {
            work.push(futures_util::future::Either::Right(turn(
                server,
                person,
                format!("{round} errand {p}-{n}"),
            )));
        }
    }
    join_all(work).await
}

fn succeeded(outcomes: Vec<Result<Written, String>>) -> Vec<Written> {
    let failures: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed: {failures:?}",
        failures.len(),
        outcomes.len()
    );
    outcomes.into_iter().flatten().collect()
}

async fn chatkit_json(server: &Server, person: &Person, body: Value) -> Value {
    let (status, _, text) = server.chatkit(&person.jwt, body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// One person's tasks, threads and each thread's items, as `server` shows them.
async fn everything(server: &Server, person: &Person) -> Value {
    let (status, tasks) = server.get("/api/tasks?limit=500", Some(&person.jwt)).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let threads = chatkit_json(
        server,
        person,
        json!({"type": "threads.list", "params": {"limit": 100}}),
    )
    .await;
    let mut items = BTreeMap::new();
    for thread in threads["data"].as_array().into_iter().flatten() {
        let id = thread["id"].as_str().unwrap_or_default().to_owned();
        let listed = chatkit_json(
            server,
            person,
            json!({"type": "items.list", "params": {"thread_id": id, "limit": 100}}),
        )
        .await;
        items.insert(id, listed["data"].clone());
    }
    json!({"tasks": tasks, "threads": threads["data"], "items": items})
}

/// Every instance shows each person the same tasks, threads and items; each
/// task and thread a request was told was written is there exactly once,
/// with as many items as its stream finished; no title is there twice.
async fn check_nothing_lost_or_doubled(servers: &[&Server], people: &[Person], written: &[Written]) {
    for person in people {
        let seen = everything(servers[0], person).await;
        for other in &servers[1..] {
            assert_eq!(
                everything(other, person).await,
                seen,
                "{} sees the same on every instance",
                person.email
            );
        }
        let titles = distinct(&seen["tasks"], "title");
        let threads = distinct(&seen["threads"], "id");
        for write in written {
            match write {
                Written::Task { owner, title } if *owner == person.email => {
                    assert!(titles.contains(title.as_str()), "task {title} was not lost");
                }
                Written::Thread { owner, id, items } if *owner == person.email => {
                    assert!(threads.contains(id.as_str()), "thread {id} was not lost");
                    assert_eq!(
                        seen["items"][id].as_array().map(Vec::len),
                        Some(*items),
                        "the items of {id}"
                    );
                }
                _ => {}
            }
        }
    }
}

/// The `field` of each object listed, none of them twice.
fn distinct<'a>(listed: &'a Value, field: &str) -> BTreeSet<&'a str> {
    let values: Vec<&str> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v[field].as_str())
        .collect();
    let distinct: BTreeSet<&str> = values.iter().copied().collect();
    assert_eq!(distinct.len(), values.len(), "no {field} twice: {values:?}");
    distinct
}

async fn sign_in_status(server: &Server, email: &str, password: &str) -> StatusCode {
    server
        .post(
            "/api/auth/sign-in/email",
            None,
            json!({"email": email, "password": password}),
        )
        .await
        .0
}

#[tokio::test]
async fn three_instances_share_one_postgres_and_two_keep_serving_when_one_dies_mid_stream() {
    let t = TestDatabase::empty_postgres().await;
    let url = format!("{}&connection_limit=4", t.url);
    // The third instance's model answers slowly, so that it dies mid-stream.
    let slow = Reply::openai_text(&["Counting: one"; 40]).chunk_delay(Duration::from_millis(250));
    let replay = ReplayServer::start([slow]).await;
    let base_url = replay.base_url();
    let eddsa = ("TASKTALK_JWT_MODE", "eddsa");
    let servers = start_together(
        &url,
        &[
            &[eddsa],
            &[eddsa],
            &[
                eddsa,
                ("TASKTALK_PROVIDER", "openai"),
                ("TASKTALK_API_KEY", "sk-test-not-a-real-key"),
                ("TASKTALK_BASE_URL", &base_url),
            ],
        ],
    );
    let [a, b, c] = <[Server; 3]>::try_from(servers).unwrap_or_else(|_| panic!("three instances"));

    // Sign-ups on every instance at once; each token works on every instance.
    let mut signing_up = Vec::new();
    for (i, server) in [&a, &b, &c].into_iter().enumerate() {
        for p in 0..3 {
            signing_up.push(sign_up(server, format!("person{i}{p}@example.com")));
        }
    }
    let people = join_all(signing_up).await;
    let published = a.get("/api/auth/jwks", None).await.1;
    assert_eq!(
        published["keys"].as_array().map(Vec::len),
        Some(1),
        "one key: {published}"
    );
    for server in [&b, &c] {
        assert_eq!(
            server.get("/api/auth/jwks", None).await.1,
            published,
            "the same key everywhere"
        );
    }
    for person in &people {
        for server in [&a, &b, &c] {
            assert_eq!(
                server.get("/api/tasks", Some(&person.jwt)).await.0,
                StatusCode::OK,
                "{}",
                person.email
            );
        }
    }

    // Failed sign-ins count on every instance: five spread over the three
    // lock the email, so the right password is refused on yet another.
    let target = &people[0].email;
    for server in [&a, &b, &c, &a, &b] {
        assert_eq!(
            sign_in_status(server, target, "wrong password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_status(&c, target, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(sign_in_status(&b, &people[1].email, PASSWORD).await, StatusCode::OK);

    // Load on all three; the third is killed while its turn streams.
    let (on_a, on_b, on_c) = (&people[..3], &people[3..6], &people[6..]);
    let killing = async {
        let (_response, seen) = c.turn_until_first_text(&on_c[0].jwt, "count slowly").await;
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &c.child.id().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("kill: {e}"));
        assert!(killed.success());
        seen
    };
    let (first_a, first_b, first_c, killed_stream) = tokio::join!(
        load(&a, on_a, "one", 8, true),
        load(&b, on_b, "one", 8, true),
        load(&c, on_c, "one", 8, false),
        killing
    );
    let mut written = succeeded(first_a.into_iter().chain(first_b).collect());
    // The third instance's requests that finished before it died stay written.
    written.extend(first_c.into_iter().flatten());
    assert!(events(&killed_stream)[0]["thread"]["id"].is_string(), "{killed_stream}");

    // The two left serve everyone, the dead instance's people included.
    let (second_a, second_b) = tokio::join!(
        load(&a, &people[..5], "two", 4, true),
        load(&b, &people[5..], "two", 4, true)
    );
    written.extend(succeeded(second_a.into_iter().chain(second_b).collect()));
    check_nothing_lost_or_doubled(&[&a, &b], &people, &written).await;
}

#[tokio::test]
async fn behind_pgbouncer_instances_migrate_an_empty_database_and_serve_load_without_an_error() {
    let pooled = PooledDatabase::new().await;
    let url = format!("{}&connection_limit=4", pooled.pooled_url(true));
    let servers = start_together(&url, &[&[], &[]]);
    let mut signing_up = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        for p in 0..4 {
            signing_up.push(sign_up(server, format!("person{i}{p}@example.com")));
        }
    }
    let people = join_all(signing_up).await;
    let (first, second) = tokio::join!(
        load(&servers[0], &people[..4], "one", 10, true),
        load(&servers[1], &people[4..], "one", 10, true)
    );
    let written = succeeded(first.into_iter().chain(second).collect());
    assert_eq!(written.len(), 8 * 12);
    check_nothing_lost_or_doubled(&[&servers[0], &servers[1]], &people, &written).await;
}
