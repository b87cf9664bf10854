//! Opening, migrating and adopting databases, on SQLite and PostgreSQL.

use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo};
use tasktalk_core::db::{Database, Dialect};
use tasktalk_core::tasks::{Page, StatusFilter, Tasks};
use tasktalk_core::testing::TestDatabase;
use tasktalk_core::token::{JwtMode, TokenConfig, Tokens};
use tasktalk_core::{Secret, on_db, test_on_both_databases};

const SECRET: &str = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF";

fn shared(name: &str) -> String {
    let path = format!(
        "{}/../../shared/betterauth/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&shared(name)).unwrap_or_else(|e| panic!("parse {name}: {e}"))
}

async fn execute(db: &Database, sql: &str) {
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(statement.to_owned())).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

async fn count(db: &Database, table: &str) -> i64 {
    on_db!(db, pool => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(pool)
        .await)
    .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

/// What a database looks like after Better Auth 1.7 ran against it and, on
/// PostgreSQL, the web version created its own tables in the SQLModel style
/// (int4 ids, varchar, `timestamp without time zone`, no chat thread id).
async fn build_web_version_database(db: &Database) {
    let dialect_ddl = match db.dialect() {
        Dialect::Postgres => shared("migration_postgres.sql"),
        Dialect::Sqlite => shared("migration_sqlite.sql"),
    };
    execute(db, &dialect_ddl).await;
    let web_version = db.dialect() == Dialect::Postgres;
    if web_version {
        execute(db,
        "create table tasks_phaseiii (id serial primary key, user_id varchar not null, title varchar(200) not null,
             description varchar, completed boolean not null, created_at timestamp not null, updated_at timestamp not null);
         create table conversations (id serial primary key, user_id varchar not null, title varchar,
             created_at timestamp not null, updated_at timestamp not null);
         create table messages (id serial primary key, conversation_id integer not null references conversations (id),
             user_id varchar not null, role varchar not null, content varchar not null, created_at timestamp not null)",
        ).await;
    }

    let hashes = json("hashes.json");
    let session = json("session.json");
    let user = &session["signIn_body"]["user"];
    let (user_id, email, name) = (
        user["id"].as_str().unwrap_or_default(),
        "bob@example.com",
        "Bob Unicode",
    );
    let created = "2026-11-21T22:45:54.284Z";
    on_db!(db, pool => async {
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
        let row = &json("jwks_table_rows.json")[0];
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

fn ts(iso: &str) -> tasktalk_core::Timestamp {
    let parsed = chrono::DateTime::parse_from_rfc3339(iso).unwrap_or_else(|e| panic!("{iso}: {e}"));
    parsed.with_timezone(&chrono::Utc).into()
}

test_on_both_databases! {
    async fn migrating_twice_is_a_no_op(t: TestDatabase) {
        t.db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        t.db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        for table in [r#""user""#, r#""session""#, r#""account""#, r#""verification""#, r#""jwks""#, "tasks_phaseiii", "conversations", "messages"] {
            assert_eq!(count(&t.db, table).await, 0, "{table} exists and is empty");
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
        let hashes = json("hashes.json");
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
        let mut config = TokenConfig::new(Secret::new(SECRET));
        config.mode = JwtMode::EdDsa;
        let tokens = Tokens::load(&t.db, config).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tokens.jwks(), serde_json::from_value(json("jwks.json")).unwrap_or_default());
        assert_eq!(count(&t.db, r#""jwks""#).await, 1);
    }
}

async fn row_counts(db: &Database) -> Vec<i64> {
    let mut counts = Vec::new();
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
    for table in tables {
        counts.push(count(db, table).await);
    }
    counts
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout() {
    let t = TestDatabase::sqlite().await;
    let Database::Sqlite(pool) = &t.db else {
        unreachable!()
    };
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

#[tokio::test]
async fn opening_a_sqlite_path_creates_the_file_and_its_folder() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("nested/deeper/tasktalk.db");
    let location = path
        .display()
        .to_string()
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
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
