//! A PostgreSQL pool, reached directly or through a transaction pooler
//! (PgBouncer in transaction mode, as Neon's and Supabase's pooled endpoints
//! are), chosen by the URL's `pgbouncer=true`.
//!
//! sqlx runs a statement with bound values in two exchanges, Parse then Bind,
//! each ended by a Sync. Outside a transaction a transaction pooler hands the
//! server connection to another client after every Sync, so the Bind may reach
//! a server that never saw the Parse (an error, or another client's
//! statement), and sqlx's named statements (`sqlx_s_1`, …) collide with the
//! same names other clients left on a server. Through a pooler every
//! statement therefore runs unnamed inside a transaction, which the pooler
//! keeps on one server, and every transaction first drops the named
//! statements left on its server (those sqlx's migrations and type look-ups
//! still create).

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgPool, PgQueryResult, PgRow, PgStatement, PgTypeInfo, Postgres};
use sqlx::{Describe, Either, Execute, Executor, SqlStr, Transaction};

/// The transaction a pooled connection's work runs in: one round trip, like `begin` alone.
const BEGIN_PINNED: &str = "begin; deallocate all";

/// Cheap to clone: the pool is shared.
#[derive(Clone, Debug)]
pub struct PgDatabase {
    pool: PgPool,
    /// Behind a transaction pooler (`pgbouncer=true`).
    pooler: bool,
}

impl PgDatabase {
    pub(super) fn new(pool: PgPool, pooler: bool) -> Self {
        Self { pool, pooler }
    }

    pub async fn begin(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        if self.pooler {
            self.pool.begin_with(BEGIN_PINNED).await
        } else {
            self.pool.begin().await
        }
    }

    /// A transaction opened by `statement` (a `begin …`).
    pub async fn begin_with(&self, statement: &'static str) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let mut tx = self.pool.begin_with(statement).await?;
        if self.pooler {
            (&mut *tx).execute("deallocate all").await?;
        }
        Ok(tx)
    }

    pub async fn close(&self) {
        self.pool.close().await
    }
}

/// A statement sent unnamed: parsed, bound and dropped within its transaction.
struct Unnamed<E>(E);

impl<'q, E: Execute<'q, Postgres>> Execute<'q, Postgres> for Unnamed<E> {
    fn sql(self) -> SqlStr {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        false
    }
}

impl<'p> Executor<'p> for &'_ PgDatabase {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Postgres>,
    {
        if !self.pooler {
            return self.pool.fetch_many(query);
        }
        let db = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut tx = db.begin().await?;
            {
                let mut results = (&mut *tx).fetch_many(Unnamed(query));
                while let Some(result) = results.try_next().await? {
                    yield result;
                }
            }
            tx.commit().await?;
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Postgres>,
    {
        if !self.pooler {
            return self.pool.fetch_optional(query);
        }
        let db = self.clone();
        Box::pin(async move {
            let mut tx = db.begin().await?;
            let row = (&mut *tx).fetch_optional(Unnamed(query)).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement, sqlx::Error>>
    where
        'p: 'e,
    {
        self.pool.prepare_with(sql, parameters)
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>> {
        Executor::describe(&self.pool, sql)
    }
}
