//! Test databases: each test gets its own SQLite file or its own PostgreSQL
//! schema, so tests run in parallel without seeing each other's rows.
//!
//! PostgreSQL comes from `TASKTALK_TEST_DATABASE_URL` (the README's test command
//! starts a server and sets it). A missing or unreachable server fails the test:
//! it is never skipped.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::db::{Database, Location};

pub const POSTGRES_URL_VAR: &str = "TASKTALK_TEST_DATABASE_URL";

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
        let dir =
            tempfile::tempdir().unwrap_or_else(|e| panic!("creating a temporary folder: {e}"));
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
        let schema = format!("t_{}", crate::random::alphanumeric_id().to_lowercase());
        let mut admin = PgConnection::connect(&base).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is not reachable at {POSTGRES_URL_VAR} ({e}); run the README's test command, which starts it")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("create schema {schema}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("creating schema {schema}: {e}"));
        let _ = admin.close().await;
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options[search_path]={schema}");
        let location = Location::from_str(&url).unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&location)
            .await
            .unwrap_or_else(|e| panic!("opening {location}: {e}"));
        Self {
            db,
            url,
            _dir: None,
        }
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

/// Runs each story once on SQLite and once on PostgreSQL, as the tests
/// `<story>::sqlite` and `<story>::postgres`.
///
/// ```ignore
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
