//! The admin command line, run as a real process against both databases.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;
use tasktalk_core::calendar::Calendar;
use tasktalk_core::db::Dialect;
use tasktalk_core::testing::{
    BETTER_AUTH_SECRET, McpClient, TestDatabase, WEB_VERSION_TABLES, build_web_version_database,
    build_web_version_own_database, count_rows_of, fixture_json, task_titles,
};
use tasktalk_core::{on_db, test_on_both_databases};

const PASSWORD: &str = "pässwörd-123 ok";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Exit 1 and exactly one line on stderr.
    fn assert_refused(&self, expected: &str) {
        assert_eq!(self.code, 1, "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "{}", self.stderr);
        assert!(
            self.stderr.contains(expected),
            "{:?} does not mention {expected:?}",
            self.stderr
        );
    }
}

fn cli(url: &str, args: &[&str], stdin: Option<&str>) -> Run {
    cli_with(url, BETTER_AUTH_SECRET, args, stdin)
}

/// The command line under test with this database and secret.
fn command(url: &str, secret: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasktalk-server"));
    command
        .args(args)
        .env("DATABASE_URL", url)
        .env("BETTER_AUTH_SECRET", secret)
        .env_remove("RUST_LOG")
        .env_remove("TASKTALK_SESSION_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn finished(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The command line with the machine's zone set to `zone` (`TZ`).
fn cli_in_zone(url: &str, zone: &str, args: &[&str]) -> Run {
    let out = command(url, BETTER_AUTH_SECRET, args)
        .env("TZ", zone)
        .env_remove("TASKTALK_TIME_ZONE")
        .output();
    finished(out.unwrap_or_else(|e| panic!("run tasktalk-server: {e}")))
}

fn cli_with(url: &str, secret: &str, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = command(url, secret, args)
        .spawn()
        .unwrap_or_else(|e| panic!("start tasktalk-server: {e}"));
    if let (Some(mut pipe), Some(text)) = (child.stdin.take(), stdin) {
        pipe.write_all(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    finished(child.wait_with_output().unwrap_or_else(|e| panic!("{e}")))
}

/// Runs a command that must end by itself (a refused `serve` among them);
/// killed after 20 s, which the caller sees as exit code -1.
fn cli_with_deadline(url: &str, secret: &str, args: &[&str]) -> Run {
    let mut child = command(url, secret, args)
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start tasktalk-server: {e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    finished(child.wait_with_output().unwrap_or_else(|e| panic!("{e}")))
}

fn create_user(url: &str, email: &str) {
    let run = cli(
        url,
        &["user", "create", "--email", email, "--name", "Test User"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn sign_in(url: &str, email: &str, password: &str) -> Run {
    cli(url, &["sign-in", "--email", email], Some(&format!("{password}\n")))
}

fn session_token(url: &str, email: &str) -> String {
    let run = sign_in(url, email, PASSWORD);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["session_token"].as_str().unwrap_or_default().to_owned()
}

fn listed_titles(result: &Value) -> Vec<&str> {
    let tasks = result["structuredContent"]["result"].as_array().into_iter().flatten();
    tasks.filter_map(|task| task["title"].as_str()).collect()
}

fn hs256(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

test_on_both_databases! {
    async fn users_are_created_listed_and_deleted(t: TestDatabase) {
        assert_eq!(cli(&t.url, &["migrate"], None).code, 0);
        create_user(&t.url, "Ann@Example.com");
        create_user(&t.url, "ben@example.com");
        let dup = cli(&t.url, &["user", "create", "--email", "ann@example.com", "--name", "Again"], Some("another-password\n"));
        dup.assert_refused("already exists");
        let short = cli(&t.url, &["user", "create", "--email", "cy@example.com", "--name", "Cy"], Some("short\n"));
        short.assert_refused("8 to 128 characters");

        let listed = cli(&t.url, &["user", "list", "--json"], None).json();
        let emails: Vec<&str> = listed.as_array().into_iter().flatten().filter_map(|u| u["email"].as_str()).collect();
        assert_eq!(emails, ["ann@example.com", "ben@example.com"]);
        let table = cli(&t.url, &["user", "list"], None);
        assert!(table.stdout.contains("ann@example.com") && table.stdout.contains("2 user(s)"), "{}", table.stdout);

        let hash: String = on_db!(&t.db, pool => sqlx::query_scalar(r#"select "password" from "account" limit 1"#).fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{e}"));
        for run in [&table, &dup, &short] {
            for secret in [PASSWORD, hash.as_str()] {
                assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "output leaks a secret");
            }
        }

        assert_eq!(cli(&t.url, &["user", "delete", "--email", "ann@example.com"], None).code, 0);
        cli(&t.url, &["user", "delete", "--email", "ann@example.com"], None).assert_refused("no account with this email");
        assert_eq!(cli(&t.url, &["user", "list", "--json"], None).json().as_array().map(Vec::len), Some(1));
    }

    async fn mcp_serves_the_session_users_tasks_on_stdio(t: TestDatabase) {
        create_user(&t.url, "ann@example.com");
        create_user(&t.url, "ben@example.com");
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let token_file = dir.path().join("session");
        std::fs::write(&token_file, format!("{}\n", session_token(&t.url, "ann@example.com"))).unwrap_or_else(|e| panic!("{e}"));
        let token_file = token_file.to_string_lossy().into_owned();
        let mut ann = McpClient::start(command(&t.url, BETTER_AUTH_SECRET, &["mcp", "--session-token-file", &token_file]));
        let mut ben_command = command(&t.url, BETTER_AUTH_SECRET, &["mcp"]);
        ben_command.env("TASKTALK_SESSION_TOKEN", session_token(&t.url, "ben@example.com"));
        let mut ben = McpClient::start(ben_command);

        let tools = ann.request("tools/list", serde_json::json!({}));
        let names: Vec<&str> = tools["tools"].as_array().into_iter().flatten().filter_map(|tool| tool["name"].as_str()).collect();
        assert_eq!(names, ["add_task", "list_tasks", "complete_task", "update_task", "delete_task"]);
        assert!(tools["tools"].as_array().into_iter().flatten().all(|tool| tool["outputSchema"]["type"] == "object"), "{tools}");

        let added = ann.call("add_task", serde_json::json!({"title": "buy milk"}));
        assert_eq!((added["isError"].clone(), added["content"][0]["text"].clone()), (Value::Bool(false), "Added task 1: buy milk".into()), "{added}");
        let id = added["structuredContent"]["task_id"].clone();
        assert_eq!(listed_titles(&ann.call("list_tasks", serde_json::json!({}))), ["buy milk"]);
        assert!(listed_titles(&ben.call("list_tasks", serde_json::json!({}))).is_empty());
        let stolen = ben.call("complete_task", serde_json::json!({"task_id": id}));
        assert_eq!(stolen["isError"], true, "{stolen}");
        assert!(stolen["content"][0]["text"].as_str().is_some_and(|text| text.starts_with("TASK_NOT_FOUND: ")), "{stolen}");

        assert_eq!(ann.call("update_task", serde_json::json!({"task_id": id, "title": "buy oat milk"}))["structuredContent"]["title"], "buy oat milk");
        assert_eq!(ann.call("complete_task", serde_json::json!({"task_id": id}))["structuredContent"]["completed"], true);
        assert_eq!(ann.call("delete_task", serde_json::json!({"task_id": id}))["structuredContent"]["status"], "deleted");
        assert!(listed_titles(&ann.call("list_tasks", serde_json::json!({}))).is_empty());
        let empty = ann.call("add_task", serde_json::json!({"title": " "}));
        assert!(empty["content"][0]["text"].as_str().is_some_and(|text| text.starts_with("INVALID_TITLE: ")), "{empty}");

        // Signed out (here: every session of hers deleted) while the server runs: the next call is refused.
        on_db!(&t.db, pool => sqlx::query(r#"delete from "session" where "userId" = (select "id" from "user" where "email" = 'ann@example.com')"#).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{e}"));
        let ended = ann.call("add_task", serde_json::json!({"title": "after sign-out"}));
        assert_eq!(ended["isError"], true, "{ended}");
        assert!(ended["content"][0]["text"].as_str().is_some_and(|text| text.starts_with("SESSION_INVALID: ")), "{ended}");
        assert!(listed_titles(&ben.call("list_tasks", serde_json::json!({}))).is_empty(), "Ben's session is untouched");
    }

    async fn mcp_refuses_to_serve_without_a_valid_session(t: TestDatabase) {
        create_user(&t.url, "cy@example.com");
        let token = session_token(&t.url, "cy@example.com");
        let unknown = command(&t.url, BETTER_AUTH_SECRET, &["mcp"]).env("TASKTALK_SESSION_TOKEN", format!("{token}x")).stdin(Stdio::null()).output();
        let unknown = finished(unknown.unwrap_or_else(|e| panic!("{e}")));
        unknown.assert_refused("session has expired or was signed out");
        assert!(unknown.stdout.is_empty(), "{}", unknown.stdout);
        let missing = cli(&t.url, &["mcp"], None);
        assert_eq!((missing.code, missing.stderr.lines().count()), (2, 1), "{}", missing.stderr);
        assert!(missing.stderr.contains("TASKTALK_SESSION_TOKEN") && missing.stdout.is_empty(), "{}", missing.stderr);
        on_db!(&t.db, pool => sqlx::query(r#"update "session" set "expiresAt" = $1"#).bind(tasktalk_core::Timestamp::now()).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{e}"));
        let expired = command(&t.url, BETTER_AUTH_SECRET, &["mcp"]).env("TASKTALK_SESSION_TOKEN", &token).stdin(Stdio::null()).output();
        finished(expired.unwrap_or_else(|e| panic!("{e}"))).assert_refused("session has expired or was signed out");
    }

    async fn sign_in_prints_the_user_session_and_a_jwt_that_token_verify_accepts(t: TestDatabase) {
        create_user(&t.url, "dee@example.com");
        let run = sign_in(&t.url, "dee@example.com", PASSWORD);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let out = run.json();
        let user_id = out["user"]["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(out["user"]["email"], "dee@example.com");
        assert_eq!(out["session_token"].as_str().map(str::len), Some(32));
        let token = out["token"].as_str().unwrap_or_default().to_owned();
        assert!(!run.stdout.contains(PASSWORD));

        let verified = cli(&t.url, &["token", "verify", &token], None);
        assert_eq!(verified.code, 0, "{}", verified.stderr);
        assert_eq!(verified.json()["sub"].as_str(), Some(user_id.as_str()));

        // One changed character, alg none, expired, another secret: all refused.
        let mut changed = token.clone();
        let last = changed.pop().unwrap_or('A');
        changed.push(if last == 'A' { 'B' } else { 'A' });
        cli(&t.url, &["token", "verify", &changed], None).assert_refused("invalid");
        let payload = token.split('.').nth(1).unwrap_or_default();
        let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
        cli(&t.url, &["token", "verify", &none], None).assert_refused("invalid");
        let now = chrono_now();
        let expired = hs256(&serde_json::json!({"sub": user_id, "iat": now - 3600, "exp": now - 600}), BETTER_AUTH_SECRET);
        cli(&t.url, &["token", "verify", &expired], None).assert_refused("expired");
        cli_with(&t.url, "a-different-secret-0123456789abcdefghij", &["token", "verify", &token], None).assert_refused("signature");

        sign_in(&t.url, "dee@example.com", "wrong password").assert_refused("Invalid email or password.");
        sign_in(&t.url, "nobody@example.com", PASSWORD).assert_refused("Invalid email or password.");
    }

    async fn token_verify_refuses_a_token_not_valid_yet_issued_in_the_future_or_of_a_deleted_account(t: TestDatabase) {
        create_user(&t.url, "eve@example.com");
        let run = sign_in(&t.url, "eve@example.com", PASSWORD);
        let user_id = run.json()["user"]["id"].as_str().unwrap_or_default().to_owned();
        let now = chrono_now();
        let not_yet = hs256(&serde_json::json!({"sub": user_id, "iat": now, "nbf": now + 600, "exp": now + 900}), BETTER_AUTH_SECRET);
        cli(&t.url, &["token", "verify", &not_yet], None).assert_refused("not valid yet");
        let future = hs256(&serde_json::json!({"sub": user_id, "iat": now + 600, "exp": now + 900}), BETTER_AUTH_SECRET);
        cli(&t.url, &["token", "verify", &future], None).assert_refused("issued in the future");
        let good = hs256(&serde_json::json!({"sub": user_id, "iat": now, "nbf": now, "exp": now + 900}), BETTER_AUTH_SECRET);
        assert_eq!(cli(&t.url, &["token", "verify", &good], None).code, 0);

        assert_eq!(cli(&t.url, &["user", "delete", "--email", "eve@example.com"], None).code, 0);
        cli(&t.url, &["token", "verify", &good], None).assert_refused("account no longer exists");
    }

    async fn a_database_made_by_better_auth_is_migrated_without_loss_and_its_users_sign_in(t: TestDatabase) {
        let t = match t.db.dialect() {
            Dialect::Sqlite => TestDatabase::empty_sqlite().await,
            Dialect::Postgres => TestDatabase::empty_postgres().await,
        };
        build_web_version_database(&t.db).await;
        let tables = [r#""user""#, r#""account""#, r#""session""#, r#""jwks""#];
        let before = count_rows_of(&t.db, &tables).await;
        let migrated = cli(&t.url, &["migrate"], None);
        assert_eq!(migrated.code, 0, "{}", migrated.stderr);
        assert_eq!(count_rows_of(&t.db, &tables).await, before, "every row is kept");

        let hashes = fixture_json("hashes.json");
        let unicode = hashes[1]["password"].as_str().unwrap_or_default();
        let bob = sign_in(&t.url, "bob@example.com", unicode);
        assert_eq!(bob.code, 0, "non-ASCII password: {}", bob.stderr);
        assert_eq!(bob.json()["user"]["name"], "Bob Unicode");
        let ann = sign_in(&t.url, "ann@example.com", hashes[0]["password"].as_str().unwrap_or_default());
        assert_eq!(ann.code, 0, "{}", ann.stderr);
        sign_in(&t.url, "bob@example.com", "simple-password-1").assert_refused("Invalid email or password.");
    }

    async fn the_scrypt_option_writes_better_auths_hash_format(t: TestDatabase) {
        let run = cli(&t.url, &["--password-hash", "scrypt", "user", "create", "--email", "sc@example.com", "--name", "S"], Some(&format!("{PASSWORD}\n")));
        assert_eq!(run.code, 0, "{}", run.stderr);
        let hash: String = on_db!(&t.db, pool => sqlx::query_scalar(r#"select "password" from "account""#).fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{e}"));
        let (salt, key) = hash.split_once(':').unwrap_or_default();
        assert_eq!((salt.len(), key.len()), (32, 128), "{hash}");
        assert_eq!(sign_in(&t.url, "sc@example.com", PASSWORD).code, 0);
    }

    async fn tasks_are_managed_per_user(t: TestDatabase) {
        create_user(&t.url, "ann@example.com");
        create_user(&t.url, "ben@example.com");
        let added = cli(&t.url, &["task", "add", "--email", "ann@example.com", "buy milk", "--description", "2 litres"], None);
        assert_eq!(added.code, 0, "{}", added.stderr);
        assert!(added.stdout.contains("buy milk"));
        cli(&t.url, &["task", "add", "--email", "ann@example.com", "  "], None).assert_refused("title must be 1 to 200");
        let listed = cli(&t.url, &["task", "list", "--email", "ann@example.com", "--json"], None).json();
        let id = listed[0]["id"].as_i64().unwrap_or_default().to_string();
        assert_eq!(listed.as_array().map(Vec::len), Some(1));

        // Ben cannot see, complete or delete Ann's task.
        assert_eq!(cli(&t.url, &["task", "list", "--email", "ben@example.com", "--json"], None).json(), serde_json::json!([]));
        cli(&t.url, &["task", "done", "--email", "ben@example.com", &id], None).assert_refused(&format!("Task {id} was not found."));
        cli(&t.url, &["task", "rm", "--email", "ben@example.com", &id], None).assert_refused(&format!("Task {id} was not found."));

        assert_eq!(cli(&t.url, &["task", "done", "--email", "ann@example.com", &id], None).code, 0);
        let done = cli(&t.url, &["task", "list", "--email", "ann@example.com", "--status", "completed", "--json"], None).json();
        assert_eq!(done[0]["completed"], true);
        cli(&t.url, &["task", "list", "--email", "ann@example.com", "--status", "someday"], None).assert_refused("Unknown status");
        assert_eq!(cli(&t.url, &["task", "rm", "--email", "ann@example.com", &id], None).code, 0);
        let empty = cli(&t.url, &["task", "list", "--email", "ann@example.com"], None);
        assert_eq!(empty.stdout.trim(), "no tasks");
        cli(&t.url, &["task", "add", "--email", "nobody@example.com", "x"], None).assert_refused("no account with this email");
    }

    async fn due_dates_round_trip_in_the_zone_of_tz_or_the_time_zone_option(t: TestDatabase) {
        create_user(&t.url, "ann@example.com");
        let task = |zone: &str, args: &[&str]| {
            let mut all = vec!["task", args[0], "--email", "ann@example.com"];
            all.extend_from_slice(&args[1..]);
            cli_in_zone(&t.url, zone, &all)
        };
        let added = task("Asia/Tokyo", &["add", "call mom", "--due", "2026-12-24T17:00", "--priority", "high", "--remind", "2026-12-24T16:30"]);
        assert_eq!(added.code, 0, "{}", added.stderr);
        assert!(added.stdout.contains("call mom  due 2026-12-24T17:00  !high  remind 2026-12-24T16:30"), "{}", added.stdout);
        let listed = task("Asia/Tokyo", &["list", "--json"]).json();
        let instant = |field: &str| tasktalk_core::Timestamp::parse_rfc3339(listed[0][field].as_str().unwrap_or_default()).map(|t| t.to_iso());
        assert_eq!((instant("due_at"), instant("remind_at")), (Some("2026-12-24T08:00:00.000Z".to_owned()), Some("2026-12-24T07:30:00.000Z".to_owned())));
        let id = listed[0]["id"].as_i64().unwrap_or_default().to_string();
        // The same instant read in New York: --time-zone wins over TZ.
        let in_new_york = cli_in_zone(&t.url, "Asia/Tokyo", &["--time-zone", "America/New_York", "task", "list", "--email", "ann@example.com"]);
        assert!(in_new_york.stdout.contains("due 2026-12-24T03:00  !high  remind 2026-12-24T02:30"), "{}", in_new_york.stdout);
        // A date is the same day in every zone.
        assert_eq!(task("Asia/Tokyo", &["add", "pay rent", "--due", "2027-01-01"]).code, 0);
        assert!(task("America/New_York", &["list", "--q", "RENT"]).stdout.contains("pay rent  due 2027-01-01"));

        // Words, read in the zone: Kiritimati's tomorrow is never Pago Pago's.
        let tomorrow = |zone: &str| Calendar::named(zone).map(|c| c.today().succ_opt().unwrap_or_default().to_string()).unwrap_or_default();
        let words = task("Pacific/Kiritimati", &["add", "water plants", "--due", "tomorrow"]);
        assert!(words.stdout.contains(&format!("water plants  due {}", tomorrow("Pacific/Kiritimati"))), "{}", words.stdout);
        assert_eq!(task_titles(&task("Pacific/Kiritimati", &["list", "--due", "tomorrow", "--json"]).json()), ["water plants"]);
        assert!(task_titles(&task("Pacific/Pago_Pago", &["list", "--due", "tomorrow", "--json"]).json()).is_empty());
        assert_eq!(task_titles(&task("UTC", &["list", "--sort", "priority", "--json"]).json())[0], "call mom");

        assert_eq!(task("UTC", &["done", &id]).code, 0);
        let edited = task("Asia/Tokyo", &["edit", &id, "--no-due", "--priority", "low", "--reopen", "--title", "call mom back"]);
        assert!(edited.stdout.contains(&format!("edited [ ] {id:>4}  call mom back  !low  remind 2026-12-24T16:30")), "{}", edited.stdout);

        task("UTC", &["add", "x", "--due", "someday soon"]).assert_refused("2026-12-24T17:00");
        task("UTC", &["add", "x", "--priority", "urgent"]).assert_refused("none, low, medium or high");
        task("UTC", &["list", "--due", "soon"]).assert_refused("overdue, today, tomorrow, week or none");
        task("UTC", &["edit", &id]).assert_refused("Give something to change");
        let zone = cli(&t.url, &["--time-zone", "Mars/Olympus", "task", "list", "--email", "ann@example.com"], None);
        assert_eq!((zone.code, zone.stderr.contains("IANA")), (2, true), "{}", zone.stderr);
    }

    async fn stored_control_characters_are_printed_escaped_and_new_ones_refused(t: TestDatabase) {
        create_user(&t.url, "ann@example.com");
        let id = cli(&t.url, &["user", "list", "--json"], None).json()[0]["id"].as_str().unwrap_or_default().to_owned();
        // Rows written before titles were checked, or by another program.
        on_db!(&t.db, pool => sqlx::query("insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)")
            .bind(&id).bind("evil\u{1b}]0;owned\u{7}title").bind("two\nlines\u{1b}[2J").bind(false).bind(tasktalk_core::Timestamp::now())
            .execute(pool).await.map(|_| ())).unwrap_or_else(|e| panic!("{e}"));
        on_db!(&t.db, pool => sqlx::query(r#"update "user" set name = $1 where id = $2"#)
            .bind("Ann\u{1b}[31m\r").bind(&id).execute(pool).await.map(|_| ())).unwrap_or_else(|e| panic!("{e}"));
        let tasks = cli(&t.url, &["task", "list", "--email", "ann@example.com"], None);
        let users = cli(&t.url, &["user", "list"], None);
        for run in [&tasks, &users] {
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(!run.stdout.chars().any(|c| c.is_control() && c != '\n'), "raw control characters in {:?}", run.stdout);
        }
        assert_eq!(tasks.stdout.lines().count(), 1, "{:?}", tasks.stdout);
        assert!(tasks.stdout.contains(r"evil\u{1b}]0;owned\u{7}title") && tasks.stdout.contains(r"two\nlines\u{1b}[2J"), "{}", tasks.stdout);
        assert!(users.stdout.contains(r"Ann\u{1b}[31m\r"), "{}", users.stdout);
        // JSON keeps the stored text exactly, escaped as JSON does.
        let listed = cli(&t.url, &["task", "list", "--email", "ann@example.com", "--json"], None).json();
        assert_eq!(listed[0]["title"], "evil\u{1b}]0;owned\u{7}title");
        cli(&t.url, &["task", "add", "--email", "ann@example.com", "bad\u{1b}[2Jtitle"], None).assert_refused("control character");
        cli(&t.url, &["task", "add", "--email", "ann@example.com", "ok", "--description", "bad\u{7}"], None).assert_refused("control character");
    }
}

/// The web version's own schema (PostgreSQL only), whose user has no name.
#[tokio::test]
async fn the_web_versions_nameless_user_signs_in_and_her_tasks_list_after_migrate() {
    let t = TestDatabase::empty_postgres().await;
    let web = build_web_version_own_database(&t.db).await;
    let before = count_rows_of(&t.db, &WEB_VERSION_TABLES).await;
    let migrated = cli(&t.url, &["migrate"], None);
    assert_eq!(migrated.code, 0, "{}", migrated.stderr);
    assert_eq!(
        count_rows_of(&t.db, &WEB_VERSION_TABLES).await,
        before,
        "every row is kept"
    );

    let signed = sign_in(&t.url, &web.email, &web.password);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    assert_eq!(
        (
            signed.json()["user"]["id"].clone(),
            signed.json()["user"]["name"].clone()
        ),
        (Value::from(web.id.as_str()), Value::from(""))
    );
    let verified = cli(
        &t.url,
        &["token", "verify", signed.json()["token"].as_str().unwrap_or_default()],
        None,
    );
    assert_eq!(verified.json()["sub"], web.id.as_str());
    let users = cli(&t.url, &["user", "list", "--json"], None);
    assert_eq!(users.json()[0]["email"], web.email.as_str(), "{}", users.stderr);
    let listed = cli(&t.url, &["task", "list", "--email", &web.email, "--json"], None);
    assert_eq!(
        task_titles(&listed.json()),
        ["pay rent", "water the plants"],
        "{}",
        listed.stderr
    );
    let open = cli(&t.url, &["task", "list", "--email", &web.email], None);
    assert!(open.stdout.contains("water the plants"), "{}", open.stdout);
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[test]
fn serve_refuses_a_wildcard_or_malformed_cors_origin_with_exit_2_and_one_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = dir.path().join("cors.db").display().to_string();
    for origin in [
        "*",
        "http://localhost:3000/app",
        "localhost:3000",
        "https://a.example,*",
    ] {
        // The flag wins over TASKTALK_CORS_ORIGINS, should the environment set it.
        let run = cli_with_deadline(
            &url,
            BETTER_AUTH_SECRET,
            &["serve", "--bind", "127.0.0.1:0", "--cors-origin", origin],
        );
        let (stdout, stderr) = (&run.stdout, &run.stderr);
        assert_eq!(run.code, 2, "{origin}: stdout {stdout:?}, stderr {stderr:?}");
        assert_eq!((stdout.as_str(), stderr.lines().count()), ("", 1), "{origin}: {stderr}");
        assert!(stderr.contains("CORS origin"), "{origin}: {stderr}");
    }
}

#[test]
fn usage_errors_exit_with_2_and_one_clear_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = dir.path().join("usage.db").display().to_string();
    let missing_secret = cli_with(&url, "", &["token", "verify", "x.y.z"], None);
    assert_eq!(missing_secret.code, 2);
    assert!(
        missing_secret.stderr.contains("BETTER_AUTH_SECRET"),
        "{}",
        missing_secret.stderr
    );
    // Better Auth's minimum: 31 characters are refused by every command that needs the secret.
    let short = "0123456789abcdef0123456789abcde";
    for args in [
        &["token", "verify", "x.y.z"][..],
        &["sign-in", "--email", "a@example.com"],
        &["serve", "--bind", "127.0.0.1:0"],
    ] {
        let run = cli_with_deadline(&url, short, args);
        assert_eq!(
            (run.code, run.stderr.lines().count()),
            (2, 1),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("at least 32 characters"), "{}", run.stderr);
    }
    let bad_url = cli("mysql://db.example/app", &["migrate"], None);
    assert_eq!(bad_url.code, 2);
    assert!(bad_url.stderr.contains("only postgres:// URLs"), "{}", bad_url.stderr);
    let no_password = cli(
        &url,
        &["user", "create", "--email", "a@example.com", "--name", "A"],
        Some(""),
    );
    assert_eq!(no_password.code, 2);
    assert!(
        no_password.stderr.contains("no password on stdin"),
        "{}",
        no_password.stderr
    );
    assert_eq!(cli(&url, &["frobnicate"], None).code, 2);
    assert_eq!(
        cli(&url, &["user", "create", "--email", "a@example.com"], None).code,
        2,
        "missing --name"
    );
    let help = cli(&url, &["--help"], None);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("sign-in") && help.stdout.contains("--database-url"),
        "{}",
        help.stdout
    );
}

#[test]
fn an_unreachable_database_is_a_refusal_with_a_clear_line_and_no_password() {
    let run = cli("postgres://admin:hunter2-pw@127.0.0.1:1/app", &["user", "list"], None);
    run.assert_refused("could not open the database");
    assert!(!run.stderr.contains("hunter2-pw"));
}

/// The mode bits of a file or folder.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(unix)]
#[test]
fn migrate_creates_sqlite_files_only_their_owner_can_read_whatever_the_umask() {
    for umask in ["000", "022"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folder = dir.path().join("new").join("data");
        let database = folder.join("tasks.db");
        // umask is per process: a shell sets it, then becomes the server.
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" migrate"))
            .arg(env!("CARGO_BIN_EXE_tasktalk-server"))
            .env("DATABASE_URL", &database)
            .env("BETTER_AUTH_SECRET", BETTER_AUTH_SECRET)
            .env_remove("RUST_LOG")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(mode(&dir.path().join("new")), 0o700, "umask {umask}");
        assert_eq!(mode(&folder), 0o700, "umask {umask}");
        for file in ["tasks.db", "tasks.db-wal", "tasks.db-shm"] {
            let path = folder.join(file);
            if file == "tasks.db" || path.exists() {
                assert_eq!(mode(&path), 0o600, "{file} with umask {umask}");
            }
        }
    }
}

/// Chats as the user (signed in through the command line) with the offline
/// assistant, each message in the same new thread.
async fn chat(t: &TestDatabase, email: &str, messages: &[&str]) {
    use tasktalk_core::agent::{Agent, OfflineAssistant};
    use tasktalk_core::chatkit::{ChatKit, Response};
    use tasktalk_core::tasks::Tasks;
    use tasktalk_core::token::{TokenConfig, Tokens};
    let signed = sign_in(&t.url, email, PASSWORD);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let bearer = format!("Bearer {}", signed.json()["token"].as_str().unwrap_or_default());
    let tokens = Tokens::load(&t.db, TokenConfig::new(tasktalk_core::Secret::new(BETTER_AUTH_SECRET)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let agent = Agent::new(
        Arc::new(OfflineAssistant::new(Calendar::system())),
        Tasks::new(t.db.clone()),
    );
    let chatkit = ChatKit::new(t.db.clone(), Arc::new(tokens), agent);
    let mut thread: Option<String> = None;
    for text in messages {
        let input = serde_json::json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}});
        let body = match &thread {
            None => serde_json::json!({"type": "threads.create", "params": {"input": input}}),
            Some(id) => {
                serde_json::json!({"type": "threads.add_user_message", "params": {"thread_id": id, "input": input}})
            }
        };
        let Response::Stream(mut stream) = chatkit.process(Some(&bearer), body.to_string().as_bytes()).await else {
            panic!("expected a stream")
        };
        while let Some(event) = stream.next().await {
            let event = serde_json::to_value(&event).unwrap_or_default();
            if event["type"] == "thread.created" {
                thread = event["thread"]["id"].as_str().map(str::to_owned);
            }
        }
    }
}

/// The tables an import writes to.
const EXPORT_TABLES: [&str; 4] = ["tasks_phaseiii", "conversations", "messages", "tasktalk_chat_items"];

/// An export's tasks and conversations without the ids their database gave them.
fn exported_content(document: &Value) -> Value {
    let mut tasks = document["tasks"].clone();
    for task in tasks.as_array_mut().into_iter().flatten() {
        task["id"] = Value::Null;
    }
    let conversations: Vec<Value> = document["conversations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|conversation| {
            let mut items = conversation["items"].clone();
            for item in items.as_array_mut().into_iter().flatten() {
                item["id"] = Value::Null;
                item["thread_id"] = Value::Null;
            }
            serde_json::json!({"title": conversation["title"], "created_at": conversation["created_at"],
                "updated_at": conversation["updated_at"], "items": items})
        })
        .collect();
    serde_json::json!({"tasks": tasks, "conversations": conversations})
}

test_on_both_databases! {
    async fn export_then_import_into_another_database_reproduces_everything_once_and_refuses_a_broken_file(t: TestDatabase) {
        let source = TestDatabase::sqlite().await;
        create_user(&source.url, "ann@example.com");
        for args in [
            &["buy milk", "--description", "2 litres", "--due", "2026-12-24", "--priority", "high", "--remind", "2026-12-23T09:00"][..],
            &["call mom", "--due", "2026-12-20T17:30"][..],
        ] {
            let run = cli(&source.url, &[&["task", "add", "--email", "ann@example.com"][..], args].concat(), None);
            assert_eq!(run.code, 0, "{}", run.stderr);
        }
        assert_eq!(cli(&source.url, &["task", "done", "--email", "ann@example.com", "2"], None).code, 0);
        chat(&source, "ann@example.com", &["add a task to pay rent", "what is still open?"]).await;

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("ann.json");
        let file_arg = file.display().to_string();
        let exported = cli(&source.url, &["export", "--email", "ann@example.com", "--output", &file_arg], None);
        assert_eq!((exported.code, exported.stdout.as_str(), exported.stderr.as_str()), (0, "", ""));
        #[cfg(unix)]
        assert_eq!(mode(&file), 0o600);
        let document: Value = serde_json::from_slice(&std::fs::read(&file).unwrap_or_default()).unwrap_or_default();
        assert_eq!((document["format"].as_str(), document["version"].as_u64()), (Some("tasktalk-export"), Some(1)));
        assert_eq!(document["tasks"].as_array().map(Vec::len), Some(3));
        let items = document["conversations"][0]["items"].as_array().map_or(0, Vec::len);
        assert!(items >= 4, "{document}");
        // Without --output, the same document on stdout.
        let on_stdout = cli(&source.url, &["export", "--email", "ann@example.com"], None).json();
        assert_eq!(exported_content(&on_stdout), exported_content(&document));

        create_user(&t.url, "ben@example.com");
        let imported = cli(&t.url, &["import", "--email", "ben@example.com", &file_arg], None);
        assert_eq!(imported.code, 0, "{}", imported.stderr);
        assert_eq!(imported.stdout.lines().count(), 1, "{}", imported.stdout);
        assert_eq!(imported.json(), serde_json::json!({"tasks_added": 3, "tasks_skipped": 0,
            "conversations_added": 1, "conversations_skipped": 0, "items_added": items}));
        let copy = cli(&t.url, &["export", "--email", "ben@example.com"], None).json();
        assert_eq!(exported_content(&copy), exported_content(&document));
        let listed = cli(&t.url, &["task", "list", "--email", "ben@example.com", "--json"], None).json();
        assert_eq!(task_titles(&listed).len(), 3);

        let counts = count_rows_of(&t.db, &EXPORT_TABLES).await;
        let again = cli(&t.url, &["import", "--email", "ben@example.com", &file_arg], None);
        assert_eq!(again.json(), serde_json::json!({"tasks_added": 0, "tasks_skipped": 3,
            "conversations_added": 0, "conversations_skipped": 1, "items_added": 0}));
        assert_eq!(count_rows_of(&t.db, &EXPORT_TABLES).await, counts);

        let broken = dir.path().join("broken.json");
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let broken_arg = broken.display().to_string();
        for (case, content, says) in [
            ("truncated", text[..text.len() / 2].to_owned(), "not a Tasktalk export that can be imported"),
            ("version 2", text.replacen("\"version\":1", "\"version\":2", 1), "version 2 of the format"),
            ("a bell in a title", text.replacen("call mom", "call\\u0007mom", 1), "task 2: A task title cannot contain control characters"),
        ] {
            std::fs::write(&broken, content).unwrap_or_else(|e| panic!("{e}"));
            cli(&t.url, &["import", "--email", "ben@example.com", &broken_arg], None).assert_refused(says);
            assert_eq!(count_rows_of(&t.db, &EXPORT_TABLES).await, counts, "{case}");
        }
        // Over the size limit: refused unread (the file is sparse).
        let huge = std::fs::File::create(&broken).unwrap_or_else(|e| panic!("{e}"));
        huge.set_len(128 * 1024 * 1024 + 1).unwrap_or_else(|e| panic!("{e}"));
        cli(&t.url, &["import", "--email", "ben@example.com", &broken_arg], None).assert_refused("larger than 128 MiB");
        cli(&t.url, &["import", "--email", "ben@example.com", "/nonexistent/file.json"], None).assert_refused("could not read");
        cli(&t.url, &["import", "--email", "nobody@example.com", &file_arg], None).assert_refused("no account with this email");
        assert_eq!(count_rows_of(&t.db, &EXPORT_TABLES).await, counts);

        let markdown = cli(&t.url, &["export", "--email", "ben@example.com", "--format", "markdown"], None);
        assert_eq!(markdown.code, 0, "{}", markdown.stderr);
        assert!(markdown.stdout.starts_with("# add a task to pay rent\n"), "{}", markdown.stdout);
        for turn in ["**You:**", "**Assistant:**", "_Tool: "] {
            assert!(markdown.stdout.contains(turn), "{turn} in {}", markdown.stdout);
        }
        let thread = copy["conversations"][0]["id"].as_str().unwrap_or_default();
        let one = cli(&t.url, &["export", "--email", "ben@example.com", "--conversation", thread], None).json();
        assert_eq!((one["tasks"].as_array().map(Vec::len), one["conversations"].as_array().map(Vec::len)), (Some(0), Some(1)));
        create_user(&t.url, "cy@example.com");
        cli(&t.url, &["export", "--email", "cy@example.com", "--conversation", thread], None).assert_refused("was not found");
    }
}
