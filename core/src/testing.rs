//! Test databases: each test gets its own SQLite file or its own PostgreSQL
//! schema, so tests run in parallel without seeing each other's rows.
//!
//! PostgreSQL comes from `TASKTALK_TEST_DATABASE_URL` (the README's test command
//! starts a server and sets it). A missing or unreachable server fails the test:
//! it is never skipped.

pub mod hostile;
#[cfg(feature = "mcp")]
mod mcp_client;
pub mod proxy;
#[cfg(feature = "mcp")]
pub use mcp_client::McpClient;

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::db::{Database, Dialect, Location};
use crate::timestamp::Timestamp;

pub const POSTGRES_URL_VAR: &str = "TASKTALK_TEST_DATABASE_URL";
/// PgBouncer in transaction mode in front of that server (scripts/lib.sh's
/// `ensure_test_pgbouncer`), as a provider's pooled endpoint is.
pub const PGBOUNCER_URL_VAR: &str = "TASKTALK_TEST_PGBOUNCER_URL";
/// The secret every file in `tests/fixtures/betterauth/` was made with.
pub const BETTER_AUTH_SECRET: &str = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF";

/// A migrated database that lives as long as this value.
#[derive(Debug)]
pub struct TestDatabase {
    pub db: Database,
    /// What a separate process (the CLI under test) passes as `--database-url`.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn sqlite() -> Self {
        let empty = Self::empty_sqlite().await;
        empty
            .db
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating SQLite: {e}"));
        empty
    }

    pub async fn postgres() -> Self {
        let empty = Self::empty_postgres().await;
        empty
            .db
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating PostgreSQL: {e}"));
        empty
    }

    /// A new SQLite file, not migrated.
    pub async fn empty_sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("creating a temporary folder: {e}"));
        let path = dir.path().join("tasktalk.db");
        let url = path.display().to_string();
        let db = Database::open(&Location::Sqlite(path))
            .await
            .unwrap_or_else(|e| panic!("opening SQLite: {e}"));
        Self {
            db,
            url,
            _dir: Some(dir),
        }
    }

    /// A fresh, empty PostgreSQL schema (not migrated): for tests that first
    /// build what another program would have left there.
    pub async fn empty_postgres() -> Self {
        let base = postgres_url();
        let schema = create_on_test_server("schema").await;
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options[search_path]={schema}");
        let location = Location::from_str(&url).unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&location)
            .await
            .unwrap_or_else(|e| panic!("opening {location}: {e}"));
        Self { db, url, _dir: None }
    }
}

/// A new, empty PostgreSQL database of its own (PgBouncer 1.18 cannot pass
/// a per-test `search_path`), reached directly or through the test
/// PgBouncer; dropped with this value.
#[derive(Debug)]
pub struct PooledDatabase {
    pub name: String,
}

impl PooledDatabase {
    pub async fn new() -> Self {
        // The test role needs CREATEDB (the test command grants it).
        Self {
            name: create_on_test_server("database").await,
        }
    }

    /// Its URL through PgBouncer, announcing the pooler with `pgbouncer=true` or not.
    pub fn pooled_url(&self, announced: bool) -> String {
        let base = std::env::var(PGBOUNCER_URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{PGBOUNCER_URL_VAR} is not set: these tests need PgBouncer in transaction mode. Run the \
                 README's test command (scripts/test.sh), which starts it."
            )
        });
        let url = with_database(&base, &self.name);
        if announced {
            format!("{url}?pgbouncer=true")
        } else {
            url
        }
    }

    /// Its URL straight to PostgreSQL.
    pub fn direct_url(&self) -> String {
        with_database(&postgres_url(), &self.name)
    }
}

/// Creates a `schema` or `database` with a new name on the test server; the name.
async fn create_on_test_server(kind: &str) -> String {
    let name = format!("t_{}", crate::random::alphanumeric_id().to_lowercase());
    let mut admin = PgConnection::connect(&postgres_url()).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {POSTGRES_URL_VAR} ({e}); run the README's test command, which starts it"
        )
    });
    sqlx::query(sqlx::AssertSqlSafe(format!("create {kind} {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("creating {kind} {name}: {e}"));
    let _ = admin.close().await;
    name
}

/// `url` (without parameters) naming `database` instead of its own.
fn with_database(url: &str, database: &str) -> String {
    let server = url
        .split('?')
        .next()
        .unwrap_or(url)
        .rsplit_once('/')
        .map_or(url, |(server, _)| server);
    format!("{server}/{database}")
}

impl Drop for PooledDatabase {
    fn drop(&mut self) {
        let drop_it = sqlx::AssertSqlSafe(format!("drop database if exists {} with (force)", self.name));
        let admin = postgres_url();
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin).await.ok()?;
                sqlx::query(drop_it).execute(&mut conn).await.ok()
            })
        })
        .join();
    }
}

/// The PostgreSQL URL tests run against; panics with the fix when unset.
pub fn postgres_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_URL_VAR} is not set: PostgreSQL tests need a server. Run the README's test \
             command (scripts/test.sh), which starts one, or point {POSTGRES_URL_VAR} at a database \
             you may create schemas in."
        )
    })
}

/// A file of `tests/fixtures/betterauth/`, the vectors made by running Better Auth.
pub fn fixture_file(name: &str) -> String {
    let path = format!("{}/../tests/fixtures/betterauth/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture_file(name)).unwrap_or_else(|e| panic!("parse {name}: {e}"))
}

/// Users with these ids (and `{id}@example.com`), for tests whose tasks need owners.
pub async fn insert_users(db: &Database, ids: &[&str]) {
    for id in ids {
        crate::on_db!(db, pool => sqlx::query(r#"insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values ($1, $1, $2, $3, $4, $4)"#)
            .bind(id).bind(format!("{id}@example.com")).bind(false).bind(Timestamp::now())
            .execute(pool).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("insert user {id}: {e}"));
    }
}

/// Runs a script of `;`-separated statements.
pub async fn execute_script(db: &Database, sql: &str) {
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        crate::on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(statement.to_owned())).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

pub async fn count_rows(db: &Database, table: &str) -> i64 {
    crate::on_db!(db, pool => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(pool)
        .await)
    .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

/// Every table of the web version's own database.
pub const WEB_VERSION_TABLES: [&str; 7] = [
    r#""user""#,
    r#""account""#,
    r#""session""#,
    r#""jwks""#,
    "tasks_phaseiii",
    "conversations",
    "messages",
];

/// The row count of each table, in order.
pub async fn count_rows_of(db: &Database, tables: &[&str]) -> Vec<i64> {
    let mut counts = Vec::with_capacity(tables.len());
    for table in tables {
        counts.push(count_rows(db, table).await);
    }
    counts
}

/// The `title` of each task in a JSON list of tasks.
pub fn task_titles(tasks: &serde_json::Value) -> Vec<&str> {
    tasks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["title"].as_str())
        .collect()
}

/// What a database looks like after Better Auth 1.7 ran against it and, on
/// PostgreSQL, the web version created its own tables in the SQLModel style
/// (int4 ids, varchar, `timestamp without time zone`, no chat thread id).
pub async fn build_web_version_database(db: &Database) {
    let dialect_ddl = match db.dialect() {
        Dialect::Postgres => fixture_file("migration_postgres.sql"),
        Dialect::Sqlite => fixture_file("migration_sqlite.sql"),
    };
    execute_script(db, &dialect_ddl).await;
    let web_version = db.dialect() == Dialect::Postgres;
    if web_version {
        execute_script(db,
        "create table tasks_phaseiii (id serial primary key, user_id varchar not null, title varchar(200) not null,
             description varchar, completed boolean not null, created_at timestamp not null, updated_at timestamp not null);
         create table conversations (id serial primary key, user_id varchar not null, title varchar,
             created_at timestamp not null, updated_at timestamp not null);
         create table messages (id serial primary key, conversation_id integer not null references conversations (id),
             user_id varchar not null, role varchar not null, content varchar not null, created_at timestamp not null)",
        ).await;
    }

    let hashes = fixture_json("hashes.json");
    let session = fixture_json("session.json");
    let user = &session["signIn_body"]["user"];
    let (user_id, email, name) = (
        user["id"].as_str().unwrap_or_default(),
        "bob@example.com",
        "Bob Unicode",
    );
    let created = "2026-11-21T22:45:54.284Z";
    crate::on_db!(db, pool => async {
        sqlx::query(r#"insert into "user" ("id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt") values ($1, $2, $3, $4, null, $5, $5)"#)
            .bind(user_id).bind(name).bind(email).bind(false).bind(ts(created)).execute(pool).await?;
        sqlx::query(r#"insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") values ('acc1', $1, 'credential', $1, $2, $3, $3)"#)
            .bind(user_id).bind(hashes[1]["hash"].as_str()).bind(ts(created)).execute(pool).await?;
        sqlx::query(r#"insert into "user" ("id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt") values ('ascii0000000000000000000000000001', 'Ann', 'ann@example.com', $1, null, $2, $2)"#)
            .bind(true).bind(ts(created)).execute(pool).await?;
        sqlx::query(r#"insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") values ('acc2', 'ascii0000000000000000000000000001', 'credential', 'ascii0000000000000000000000000001', $1, $2, $2)"#)
            .bind(hashes[0]["hash"].as_str()).bind(ts(created)).execute(pool).await?;
        sqlx::query(r#"insert into "session" ("id", "expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId") values ('s1', $1, 'webSessionToken0000000000000001', $2, $2, '', '', $3)"#)
            .bind(ts("2099-01-01T00:00:00.000Z")).bind(ts(created)).bind(user_id).execute(pool).await?;
        let row = &fixture_json("jwks_table_rows.json")[0];
        sqlx::query(r#"insert into "jwks" ("id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv") values ($1, $2, $3, $4, null, 'EdDSA', 'Ed25519')"#)
            .bind(row["id"].as_str()).bind(row["publicKey"].as_str()).bind(row["privateKey"].as_str()).bind(ts(created)).execute(pool).await?;
        if !web_version {
            return Ok(());
        }
        sqlx::query("insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at) values ($1, 'made on the web', null, $2, '2026-11-20 10:00:00', '2026-11-20 10:00:00')")
            .bind(user_id).bind(false).execute(pool).await?;
        sqlx::query("insert into conversations (user_id, title, created_at, updated_at) values ($1, 'web chat', '2026-11-20 10:00:00', '2026-11-20 10:00:00')")
            .bind(user_id).execute(pool).await?;
        Ok::<_, sqlx::Error>(())
    }.await).unwrap_or_else(|e| panic!("seeding the web-version database: {e}"));
}

/// The web version's nameless user, as [`build_web_version_own_database`] seeds her.
#[derive(Clone, Debug)]
pub struct WebUser {
    pub id: String,
    pub email: String,
    /// Her password, hashed in the seed by Better Auth itself.
    pub password: String,
    /// The `conversations.id` of the chat she had on the web.
    pub conversation_id: i32,
}

/// What the web version's own PostgreSQL looks like (its hand-written schema,
/// `tests/fixtures/webversion/schema_postgres.sql`), not yet migrated: a user
/// whose name is NULL with two tasks, and one conversation she had on the web
/// whose two messages exist only in `messages`, with the roles its back end
/// writes. Also the web deployment's signing key, in a `jwks` without
/// `alg`/`crv`/`expiresAt`.
pub async fn build_web_version_own_database(db: &Database) -> WebUser {
    assert_eq!(
        db.dialect(),
        Dialect::Postgres,
        "the web version runs on PostgreSQL only"
    );
    let path = format!(
        "{}/../tests/fixtures/webversion/schema_postgres.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    execute_script(db, &schema).await;
    let hashes = fixture_json("hashes.json");
    let user = WebUser {
        id: "nameless000000000000000000000001".into(),
        email: "noname@example.com".into(),
        password: hashes[0]["password"].as_str().unwrap_or_default().into(),
        conversation_id: 0,
    };
    let Database::Postgres(pool) = db else { unreachable!() };
    let seeded: Result<i32, sqlx::Error> = async {
        sqlx::query(r#"insert into "user" ("id", "name", "email", "createdAt", "updatedAt") values ($1, null, $2, '2026-11-20 09:00:00', '2026-11-20 09:00:00')"#)
            .bind(&user.id).bind(&user.email).execute(pool).await?;
        sqlx::query(r#"insert into "account" ("id", "accountId", "providerId", "userId", "password") values ('webacc1', $1, 'credential', $1, $2)"#)
            .bind(&user.id).bind(hashes[0]["hash"].as_str()).execute(pool).await?;
        let row = &fixture_json("jwks_table_rows.json")[0];
        sqlx::query(r#"insert into "jwks" ("id", "publicKey", "privateKey", "createdAt") values ($1, $2, $3, '2026-11-21 22:45:54')"#)
            .bind(row["id"].as_str()).bind(row["publicKey"].as_str()).bind(row["privateKey"].as_str()).execute(pool).await?;
        sqlx::query("insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at) values
             ($1, 'water the plants', null, false, '2026-11-20 10:00:00', '2026-11-20 10:00:00'),
             ($1, 'pay rent', 'before the 1st', true, '2026-11-20 10:01:00', '2026-11-20 10:05:00')")
            .bind(&user.id).execute(pool).await?;
        let conversation: i32 = sqlx::query_scalar("insert into conversations (user_id, title, created_at, updated_at) values ($1, 'web chat', '2026-11-20 10:02:00', '2026-11-20 10:03:00') returning id")
            .bind(&user.id).fetch_one(pool).await?;
        sqlx::query("insert into messages (conversation_id, user_id, role, content, created_at) values
             ($1, $2, 'USER', 'what is still open?', '2026-11-20 10:02:00'),
             ($1, $2, 'ASSISTANT', 'You have 1 open task: water the plants.', '2026-11-20 10:02:01')")
            .bind(conversation).bind(&user.id).execute(pool).await?;
        Ok(conversation)
    }
    .await;
    let conversation_id = seeded.unwrap_or_else(|e| panic!("seeding the web version's own database: {e}"));
    WebUser {
        conversation_id,
        ..user
    }
}

fn ts(iso: &str) -> Timestamp {
    let parsed = chrono::DateTime::parse_from_rfc3339(iso).unwrap_or_else(|e| panic!("{iso}: {e}"));
    parsed.with_timezone(&chrono::Utc).into()
}

/// Runs each story once on SQLite and once on PostgreSQL, as the tests
/// `<story>::sqlite` and `<story>::postgres`.
///
/// ```text
/// test_on_both_databases! {
///     async fn adds_a_task(t: TestDatabase) { ... }
/// }
/// ```
#[macro_export]
macro_rules! test_on_both_databases {
    ($(async fn $name:ident($t:ident: TestDatabase) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn story($t: $crate::testing::TestDatabase) $body

            #[tokio::test]
            async fn sqlite() {
                story($crate::testing::TestDatabase::sqlite().await).await
            }

            #[tokio::test]
            async fn postgres() {
                story($crate::testing::TestDatabase::postgres().await).await
            }
        }
    )*};
}
