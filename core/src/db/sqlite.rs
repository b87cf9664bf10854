//! SQLite's serving connection, and the connection that checkpoints its
//! write-ahead log.
//!
//! One connection serves every request: SQLite allows one writer at a time,
//! and concurrent writers on separate connections wait in its busy handler,
//! which sleeps 1, 2, 5, 10… ms between tries. Requests take turns on it
//! behind a fair mutex instead of a one-connection sqlx pool: the pool pings
//! a connection on its worker thread every time it is returned (a spawned
//! task and one more round trip), and the next request waits for that ping.
//! Here the next request gets the connection the moment the last one lets go.
//!
//! In WAL mode a commit appends its pages to the log, and a checkpoint copies
//! them back into the database file and syncs both files: with
//! `synchronous = normal` its syncs are the only ones. By default the
//! connection that commits runs a checkpoint whenever the log passes 1 000
//! pages, inside that commit, so every request waiting for the serving
//! connection waits for those syncs. Here a second connection checkpoints in
//! the background soon after each write (a passive checkpoint never blocks
//! the writer), and the serving connection checkpoints itself only when the
//! log is far larger than the background lets it grow: a safety net, not the
//! routine.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteQueryResult, SqliteRow, SqliteStatement,
    SqliteTransactionManager, SqliteTypeInfo,
};
use sqlx::{Connection, Describe, Either, Execute, Executor, SqlStr};
use sqlx_core::transaction::TransactionManager;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard, watch};

/// The serving connection checkpoints itself past this many log pages
/// (40 MiB at the default page size), were the background ever to fall behind.
const SAFETY_NET_PAGES: u32 = 10_000;
/// A log that anything (an import, a safety-net checkpoint) grew beyond this is
/// cut back to it once it is checkpointed, instead of keeping its size on disk.
const LOG_SIZE_LIMIT_BYTES: u64 = 64 << 20;
/// How soon after a write its pages reach the database file.
const CHECKPOINT_SOON: Duration = Duration::from_millis(100);
/// The longest pause between looks while nothing is written: an idle app
/// wakes this rarely.
const CHECKPOINT_IDLE: Duration = Duration::from_secs(5);

/// How long a request waits for its turn on the serving connection before it
/// is told the database is unavailable (sqlx's pools wait as long).
const TURN_TIMEOUT: Duration = Duration::from_secs(30);

/// The serving connection's options: checkpoints are the background's work.
pub(super) fn serving(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .pragma("wal_autocheckpoint", SAFETY_NET_PAGES.to_string())
        .pragma("journal_size_limit", LOG_SIZE_LIMIT_BYTES.to_string())
}

/// Cheap to clone: every clone shares the serving connection, and the
/// checkpointer ends when the last clone is dropped or one is closed.
#[derive(Clone, Debug)]
pub struct SqliteDatabase {
    /// `None` once closed.
    serving: Arc<Mutex<Option<Serving>>>,
    /// Set by `close`; dropped with the last clone. Either ends the checkpointer.
    closing: Arc<watch::Sender<bool>>,
    /// Becomes true once the checkpointer's connection is closed.
    checkpointer_closed: watch::Receiver<bool>,
}

#[derive(Debug)]
struct Serving {
    connection: SqliteConnection,
    /// A batch that sends its own `begin` and `commit` (which sqlx does not
    /// track) did not finish: its transaction may still be open.
    unfinished_batch: bool,
}

impl SqliteDatabase {
    /// Serves requests on `serving`, and checkpoints its log on
    /// `checkpointer`, a connection of its own, until closed or dropped.
    pub(super) fn new(serving: SqliteConnection, checkpointer: SqliteConnection) -> Self {
        let (closing, closing_seen) = watch::channel(false);
        let (closed, checkpointer_closed) = watch::channel(false);
        tokio::spawn(checkpoint_until_closed(checkpointer, closing_seen, closed));
        Self {
            serving: Arc::new(Mutex::new(Some(Serving {
                connection: serving,
                unfinished_batch: false,
            }))),
            closing: Arc::new(closing),
            checkpointer_closed,
        }
    }

    /// The serving connection, once the requests before this one let go of it.
    pub async fn acquire(&self) -> Result<SqliteLease, sqlx::Error> {
        take_turn(Arc::clone(&self.serving)).await
    }

    pub async fn begin(&self) -> Result<SqliteTransaction, sqlx::Error> {
        self.begin_statement(None).await
    }

    /// A transaction opened by `statement` (a `begin …`).
    pub async fn begin_with(&self, statement: &'static str) -> Result<SqliteTransaction, sqlx::Error> {
        self.begin_statement(Some(SqlStr::from_static(statement))).await
    }

    async fn begin_statement(&self, statement: Option<SqlStr>) -> Result<SqliteTransaction, sqlx::Error> {
        let mut lease = self.acquire().await?;
        // Cancelled after the worker began, the worker rolls back itself.
        SqliteTransactionManager::begin(&mut lease, statement).await?;
        Ok(SqliteTransaction { lease, open: true })
    }

    /// Closes both connections, after the requests holding the serving one;
    /// the last to close checkpoints the whole log and removes it.
    pub async fn close(&self) {
        let serving = self.serving.lock().await.take();
        if let Some(serving) = serving
            && let Err(err) = serving.connection.close().await
        {
            tracing::warn!(error = %err, "could not close the SQLite connection");
        }
        self.closing.send_replace(true);
        // An error means the task is gone (its runtime ended) with its connection.
        let _ = self.checkpointer_closed.clone().wait_for(|closed| *closed).await;
    }
}

/// [`SqliteDatabase::acquire`] on the shared connection alone: what a
/// statement's future owns (cloning the whole database would also clone the
/// checkpointer's channels, on every statement).
async fn take_turn(serving: Arc<Mutex<Option<Serving>>>) -> Result<SqliteLease, sqlx::Error> {
    let slot = tokio::time::timeout(TURN_TIMEOUT, serving.lock_owned())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?;
    let mut lease = OwnedMutexGuard::try_map(slot, Option::as_mut)
        .map(SqliteLease)
        .map_err(|_| sqlx::Error::PoolClosed)?;
    if lease.0.unfinished_batch {
        // Fails harmlessly when the batch's transaction had ended.
        if let Err(err) = lease.execute("rollback").await {
            tracing::debug!(error = %err, "no transaction of an unfinished batch to roll back");
        }
        lease.0.unfinished_batch = false;
    }
    Ok(lease)
}

/// The serving connection, held by one request until dropped.
#[derive(Debug)]
pub struct SqliteLease(OwnedMappedMutexGuard<Option<Serving>, Serving>);

impl SqliteLease {
    /// Marks the connection as possibly inside a transaction the holder began
    /// with its own `begin` statement: the next holder rolls it back first.
    pub(crate) fn mark_unfinished_batch(&mut self) {
        self.0.unfinished_batch = true;
    }
}

impl Deref for SqliteLease {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.0.connection
    }
}

impl DerefMut for SqliteLease {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.0.connection
    }
}

/// A transaction on the serving connection, rolled back unless committed
/// (as sqlx's `Transaction` is: the rollback is queued on the connection's
/// worker, ahead of the next holder's statements).
#[derive(Debug)]
pub struct SqliteTransaction {
    lease: SqliteLease,
    open: bool,
}

impl SqliteTransaction {
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        SqliteTransactionManager::commit(&mut self.lease).await?;
        self.open = false;
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        SqliteTransactionManager::rollback(&mut self.lease).await?;
        self.open = false;
        Ok(())
    }
}

impl Deref for SqliteTransaction {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.lease
    }
}

impl DerefMut for SqliteTransaction {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.lease
    }
}

impl Drop for SqliteTransaction {
    fn drop(&mut self) {
        if self.open {
            SqliteTransactionManager::start_rollback(&mut self.lease);
        }
    }
}

/// Each statement runs on the serving connection in its turn, like a query on a pool.
impl<'p> Executor<'p> for &'_ SqliteDatabase {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let serving = Arc::clone(&self.serving);
        Box::pin(async_stream::try_stream! {
            let mut lease = take_turn(serving).await?;
            let mut results = (&mut *lease).fetch_many(query);
            while let Some(result) = results.try_next().await? {
                yield result;
            }
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let serving = Arc::clone(&self.serving);
        Box::pin(async move { take_turn(serving).await?.fetch_optional(query).await })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<SqliteStatement, sqlx::Error>>
    where
        'p: 'e,
    {
        let serving = Arc::clone(&self.serving);
        Box::pin(async move { take_turn(serving).await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>> {
        let serving = Arc::clone(&self.serving);
        Box::pin(async move { take_turn(serving).await?.describe(sql).await })
    }
}

/// Checkpoints every [`CHECKPOINT_SOON`] while the log grows, less and less
/// often (up to [`CHECKPOINT_IDLE`]) while it does not.
async fn checkpoint_until_closed(
    mut conn: SqliteConnection,
    mut closing: watch::Receiver<bool>,
    closed: watch::Sender<bool>,
) {
    let checkpoints = async {
        let mut pause = CHECKPOINT_SOON;
        let mut last_log = None;
        loop {
            tokio::time::sleep(pause).await;
            // (busy, pages in the log, pages of it now in the database file)
            let outcome: Result<(i64, i64, i64), _> = sqlx::query_as("pragma wal_checkpoint(passive)")
                .fetch_one(&mut conn)
                .await;
            pause = match outcome {
                Ok((_, log, copied)) => {
                    let idle = log == copied && last_log == Some(log);
                    last_log = Some(log);
                    if idle {
                        (pause * 2).min(CHECKPOINT_IDLE)
                    } else {
                        CHECKPOINT_SOON
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "could not checkpoint the SQLite log");
                    CHECKPOINT_IDLE
                }
            };
        }
    };
    tokio::select! {
        () = checkpoints => {}
        // An error: every clone of the database is dropped.
        _ = closing.wait_for(|closing| *closing) => {}
    }
    if let Err(err) = conn.close().await {
        tracing::warn!(error = %err, "could not close the SQLite checkpointer's connection");
    }
    closed.send_replace(true);
}
