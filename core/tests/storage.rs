//! Opening, migrating and adopting databases, on SQLite and PostgreSQL.

use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo};
use tasktalk_core::db::{Database, Dialect};
use tasktalk_core::tasks::{Due, Page, Priority, StatusFilter, TaskUpdate, Tasks};
use tasktalk_core::testing::{
    BETTER_AUTH_SECRET, TestDatabase, WEB_VERSION_TABLES, build_web_version_database, build_web_version_own_database,
    count_rows, count_rows_of, execute_script, fixture_json,
};
use tasktalk_core::token::{JwtMode, TokenConfig, Tokens};
use tasktalk_core::{Secret, test_on_both_databases};

test_on_both_databases! {
    async fn migrating_twice_is_a_no_op(t: TestDatabase) {
        t.db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        t.db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        for table in [r#""user""#, r#""session""#, r#""account""#, r#""verification""#, r#""jwks""#, "tasks_phaseiii", "conversations", "messages"] {
            assert_eq!(count_rows(&t.db, table).await, 0, "{table} exists and is empty");
        }
    }

    async fn an_existing_better_auth_and_web_database_is_adopted_with_every_row(t: TestDatabase) {
        let t = match t.db.dialect() {
            Dialect::Sqlite => TestDatabase::empty_sqlite().await,
            Dialect::Postgres => TestDatabase::empty_postgres().await,
        };
        build_web_version_database(&t.db).await;
        let before: Vec<i64> = row_counts(&t.db).await;

        t.db.migrate().await.unwrap_or_else(|e| panic!("migrate over the web database: {e}"));
        assert_eq!(row_counts(&t.db).await, before, "every row is kept");

        let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
        let hashes = fixture_json("hashes.json");
        let bob = accounts
            .sign_in("Bob@Example.com", hashes[1]["password"].as_str().unwrap_or_default(), &ClientInfo::default())
            .await
            .unwrap_or_else(|e| panic!("Better Auth user signs in with a non-ASCII password: {e}"));
        assert_eq!(bob.user.name, "Bob Unicode");
        assert!(accounts.sign_in("ann@example.com", hashes[0]["password"].as_str().unwrap_or_default(), &ClientInfo::default()).await.is_ok());
        assert!(accounts.sign_in("ann@example.com", "simple-password-2", &ClientInfo::default()).await.is_err());
        let web_session = accounts.session("webSessionToken0000000000000001").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(web_session.user.id, bob.user.id);

        let tasks = Tasks::new(t.db.clone());
        let listed = tasks.list(&bob.user.id, StatusFilter::All, Page::default()).await.unwrap_or_else(|e| panic!("{e}"));
        let added = tasks.add(&bob.user.id, "made on the desktop", None).await.unwrap_or_else(|e| panic!("{e}"));
        if t.db.dialect() == Dialect::Postgres {
            assert_eq!(listed.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["made on the web"]);
            assert!(added.id > listed[0].id);
            tasks.complete(&bob.user.id, listed[0].id).await.unwrap_or_else(|e| panic!("{e}"));
        }

        // The web deployment's own signing key keeps working, and is not replaced.
        let mut config = TokenConfig::new(Secret::new(BETTER_AUTH_SECRET));
        config.mode = JwtMode::EdDsa;
        let tokens = Tokens::load(&t.db, config).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tokens.jwks(), serde_json::from_value(fixture_json("jwks.json")).unwrap_or_default());
        assert_eq!(count_rows(&t.db, r#""jwks""#).await, 1);
    }

    async fn the_web_versions_task_statements_work_on_our_schema(t: TestDatabase) {
        let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
        let user = accounts.sign_up("web@example.com", "Web", "correct horse", &ClientInfo::default()).await.unwrap_or_else(|e| panic!("{e}"));
        web_version_statements_still_work(&t.db, &user.user.id).await;
    }
}

/// What the web version's back end (SQLModel) sends, naming none of the
/// columns added since, then what the desktop reads of its rows: no due, no
/// priority, and a completion it made without `completed_at`.
async fn web_version_statements_still_work(db: &Database, user_id: &str) {
    let id: i32 = tasktalk_core::on_db!(db, pool => sqlx::query_scalar(
        "insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at)
         values ($1, 'from the web', null, false, '2026-11-20 10:00:00', '2026-11-20 10:00:00') returning tasks_phaseiii.id")
        .bind(user_id).fetch_one(pool).await)
    .unwrap_or_else(|e| panic!("the web version's INSERT: {e}"));
    let tasks = Tasks::new(db.clone());
    let due = TaskUpdate {
        due: Some(Some(Due::Date(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap_or_default(),
        ))),
        priority: Some(Priority::High),
        ..TaskUpdate::default()
    };
    tasks.update(user_id, id, due).await.unwrap_or_else(|e| panic!("{e}"));
    tasks.complete(user_id, id).await.unwrap_or_else(|e| panic!("{e}"));
    tasktalk_core::on_db!(db, pool => sqlx::query(
        "update tasks_phaseiii set completed = $1, updated_at = '2026-11-21 10:00:00' where tasks_phaseiii.id = $2")
        .bind(false).bind(id).execute(pool).await.map(|_| ()))
    .unwrap_or_else(|e| panic!("the web version's UPDATE: {e}"));
    let rows: Vec<(i32, String, String, Option<String>, bool)> = tasktalk_core::on_db!(db, pool => sqlx::query_as(
        "select tasks_phaseiii.id, tasks_phaseiii.user_id, tasks_phaseiii.title, tasks_phaseiii.description, tasks_phaseiii.completed
         from tasks_phaseiii where tasks_phaseiii.user_id = $1 order by tasks_phaseiii.created_at desc")
        .bind(user_id).fetch_all(pool).await)
    .unwrap_or_else(|e| panic!("the web version's SELECT: {e}"));
    assert!(
        rows.contains(&(id, user_id.to_owned(), "from the web".to_owned(), None, false)),
        "{rows:?}"
    );

    let read = tasks.get(user_id, id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (read.completed, read.completed_at, read.priority),
        (false, None, Priority::High),
        "reopened on the web"
    );
    let plain: i32 = tasktalk_core::on_db!(db, pool => sqlx::query_scalar(
        "insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at)
         values ($1, 'plain web task', 'notes', true, '2026-11-20 11:00:00', '2026-11-20 11:00:00') returning id")
        .bind(user_id).fetch_one(pool).await)
    .unwrap_or_else(|e| panic!("the web version's INSERT: {e}"));
    let plain = tasks.get(user_id, plain).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            plain.due(),
            plain.priority,
            plain.remind_at,
            plain.completed,
            plain.completed_at
        ),
        (None, Priority::None, None, true, None)
    );
}

/// The web version's hand-written schema (PostgreSQL only): a nullable name,
/// `timestamp without time zone`, a `jwks` without `alg`/`crv`/`expiresAt`.
#[tokio::test]
async fn the_web_versions_own_database_is_adopted_and_its_nameless_user_signs_in() {
    let t = TestDatabase::empty_postgres().await;
    let web = build_web_version_own_database(&t.db).await;
    let before = count_rows_of(&t.db, &WEB_VERSION_TABLES).await;
    t.db.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate over the web version's database: {e}"));
    assert_eq!(
        count_rows_of(&t.db, &WEB_VERSION_TABLES).await,
        before,
        "every row is kept"
    );

    let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
    let signed = accounts
        .sign_in(&web.email, &web.password, &ClientInfo::default())
        .await
        .unwrap_or_else(|e| panic!("the nameless web user signs in: {e}"));
    assert_eq!(
        (signed.user.id.as_str(), signed.user.name.as_str()),
        (web.id.as_str(), "")
    );
    let again = accounts
        .session(&signed.session.token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.user, signed.user);
    // Written to and read back from `timestamp without time zone` as the same UTC instant.
    assert_eq!(again.session.expires_at, signed.session.expires_at);
    assert!(accounts.list_users().await.is_ok_and(|users| users.len() == 1));
    let tasks = Tasks::new(t.db.clone());
    let listed = tasks
        .list(&web.id, StatusFilter::All, Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        listed.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(),
        ["pay rent", "water the plants"]
    );
    // A new account and task are written in that schema too.
    let newcomer = accounts
        .sign_up("new@example.com", "New", "correct horse", &ClientInfo::default())
        .await
        .unwrap_or_else(|e| panic!("sign-up on the web version's schema: {e}"));
    tasks
        .add(&newcomer.user.id, "from the desktop", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // EdDSA on the web's `jwks`: its key is used, and tokens verify.
    let mut config = TokenConfig::new(Secret::new(BETTER_AUTH_SECRET));
    config.mode = JwtMode::EdDsa;
    let tokens = Tokens::load(&t.db, config.clone())
        .await
        .unwrap_or_else(|e| panic!("EdDSA on the web's jwks: {e}"));
    assert_eq!(
        tokens.jwks(),
        serde_json::from_value(fixture_json("jwks.json")).unwrap_or_default()
    );
    let issued = tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tokens.verify(&issued.token).map(|c| c.sub).ok(), Some(web.id.clone()));
    // With that table empty, a key is created in it and works.
    execute_script(&t.db, r#"delete from "jwks""#).await;
    let fresh = Tokens::load(&t.db, config)
        .await
        .unwrap_or_else(|e| panic!("creating a key in the web's jwks: {e}"));
    let issued = fresh.issue(&signed.user).unwrap_or_else(|e| panic!("{e}"));
    assert!(fresh.verify(&issued.token).is_ok());
    assert_eq!(count_rows(&t.db, r#""jwks""#).await, 1);
    web_version_statements_still_work(&t.db, &web.id).await;
}

async fn row_counts(db: &Database) -> Vec<i64> {
    let tables: &[&str] = match db.dialect() {
        Dialect::Postgres => &[
            r#""user""#,
            r#""session""#,
            r#""account""#,
            r#""jwks""#,
            "tasks_phaseiii",
            "conversations",
        ],
        Dialect::Sqlite => &[r#""user""#, r#""session""#, r#""account""#, r#""jwks""#],
    };
    count_rows_of(db, tables).await
}

/// threads.list's page by last activity is read from an index in order, not
/// by sorting all of the user's threads for every page (migration 0008).
#[tokio::test]
async fn sqlite_lists_threads_by_activity_from_an_index() {
    let t = TestDatabase::sqlite().await;
    let Database::Sqlite(sqlite) = &t.db else {
        panic!("a SQLite test database")
    };
    let pool = sqlite;
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "explain query plan select id from conversations c where c.user_id = 'u' \
         and (c.updated_at, c.id) < ('2026-01-01', 7) order by c.updated_at desc, c.id desc limit 51",
    )
    .fetch_all(pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let plan: Vec<String> = plan.into_iter().map(|(_, _, _, detail)| detail).collect();
    assert!(
        plan.iter()
            .any(|d| d.contains("ix_tasktalk_conversations_user_activity"))
            && !plan.iter().any(|d| d.contains("TEMP B-TREE")),
        "every page sorts the user's threads: {plan:?}"
    );
}

/// Thread search's `lower(content) like '%word%'` is answered by the trigram
/// index of migration 0008, not by reading every message (the test
/// database's owner may create pg_trgm, as on hosted PostgreSQL).
#[tokio::test]
async fn postgres_searches_messages_through_a_trigram_index() {
    let t = TestDatabase::postgres().await;
    let Database::Postgres(pool) = &t.db else {
        panic!("a PostgreSQL test database")
    };
    let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    // On an empty table any scan is cheapest: rule the sequential one out to
    // see whether an index can answer at all.
    sqlx::query("set local enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let plan: Vec<String> = sqlx::query_scalar("explain select id from messages where lower(content) like '%zebra%'")
        .fetch_all(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = plan.join("\n");
    assert!(
        plan.contains("ix_tasktalk_messages_content_trgm"),
        "the plan reads every message:\n{plan}"
    );
}

// A conversation's newest messages (the window that tells whether the web
// version wrote some not yet read) come from an index in order: a turn on a
// long thread does not read and sort all of its messages (migration 0009 on
// PostgreSQL; SQLite's index holds the row id, so its order).
test_on_both_databases! {
async fn a_conversations_newest_messages_are_read_from_an_index(t: TestDatabase) {
    const NEWEST: &str = "select m.id from messages m where m.conversation_id = 7 \
         and upper(cast(m.role as text)) in ('USER', 'ASSISTANT') order by m.id desc limit 64";
    let plan = match &t.db {
        Database::Sqlite(sqlite) => {
            let pool = sqlite;
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("explain query plan {NEWEST}")))
                .fetch_all(pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            rows.into_iter().map(|(_, _, _, detail)| detail).collect::<Vec<_>>().join("\n")
        }
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
            // On an empty table any plan is cheap: rule out the ones that read everything.
            sqlx::query("set local enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            sqlx::query("set local enable_sort = off")
                .execute(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("explain {NEWEST}")))
                .fetch_all(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            rows.join("\n")
        }
    };
    let index = match t.db.dialect() {
        Dialect::Sqlite => "ix_messages_conversation_id",
        Dialect::Postgres => "ix_tasktalk_messages_conversation_recent",
    };
    assert!(
        plan.contains(index) && !plan.contains("TEMP B-TREE") && !plan.contains("Sort"),
        "the newest messages are found by reading and sorting all of them:\n{plan}"
    );
}
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout() {
    let t = TestDatabase::sqlite().await;
    let Database::Sqlite(sqlite) = &t.db else {
        unreachable!()
    };
    let pool = sqlite;
    let mode: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(pool)
        .await
        .unwrap_or_default();
    let fk: i64 = sqlx::query_scalar("pragma foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap_or_default();
    let busy: i64 = sqlx::query_scalar("pragma busy_timeout")
        .fetch_one(pool)
        .await
        .unwrap_or_default();
    assert_eq!((mode.as_str(), fk), ("wal", 1));
    assert!(busy >= 1000, "busy timeout {busy} ms");
}

/// The options `.cargo/config.toml` gives the bundled SQLite, for speed:
/// without the query planner stability guarantee, a statement with a bound
/// `limit` is parsed and planned again every time it runs.
#[tokio::test]
async fn the_bundled_sqlite_keeps_plans_and_skips_memory_statistics() {
    let t = TestDatabase::sqlite().await;
    let Database::Sqlite(sqlite) = &t.db else {
        unreachable!()
    };
    let pool = sqlite;
    let options: Vec<String> = sqlx::query_scalar("select compile_options from pragma_compile_options")
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for option in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
        assert!(options.iter().any(|o| o == option), "{option} missing from {options:?}");
    }
}

#[tokio::test]
async fn opening_a_sqlite_path_creates_the_file_and_its_folder() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("nested/deeper/tasktalk.db");
    let location = path.display().to_string().parse().unwrap_or_else(|e| panic!("{e}"));
    let db = Database::open_and_migrate(&location)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(path.exists());
    assert_eq!(db.dialect(), Dialect::Sqlite);
}

#[tokio::test]
async fn an_unreachable_postgres_gives_a_clear_error_without_the_password() {
    let location = "postgres://u:pa55word@127.0.0.1:1/db"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = Database::open(&location)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("could not open the database"), "{err}");
    assert!(!err.contains("pa55word"), "{err}");
}
