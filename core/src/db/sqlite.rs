//! A SQLite pool and the connection that checkpoints its write-ahead log.
//!
//! In WAL mode a commit appends its pages to the log, and a checkpoint copies
//! them back into the database file and syncs both files: with
//! `synchronous = normal` its syncs are the only ones. By default the
//! connection that commits runs a checkpoint whenever the log passes 1 000
//! pages, inside that commit, so every request queued on the pool's one
//! connection waits for those syncs. Here a second connection checkpoints in
//! the background soon after each write (a passive checkpoint never blocks
//! the writer), and the serving connection checkpoints itself only when the
//! log is far larger than the background lets it grow: a safety net, not the
//! routine.

use std::time::Duration;

use sqlx::Connection;
use sqlx::pool::CloseEvent;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePool};
use tokio::sync::watch;

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

/// The serving connection's options: checkpoints are the background's work.
pub(super) fn serving(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .pragma("wal_autocheckpoint", SAFETY_NET_PAGES.to_string())
        .pragma("journal_size_limit", LOG_SIZE_LIMIT_BYTES.to_string())
}

/// Cheap to clone: the pool is shared, and every clone sees the checkpointer end.
#[derive(Clone, Debug)]
pub struct SqliteDatabase {
    pool: SqlitePool,
    /// Becomes true once the checkpointer's connection is closed.
    checkpointer_closed: watch::Receiver<bool>,
}

impl SqliteDatabase {
    /// Starts checkpointing `pool`'s log on `checkpointer`, a connection of its
    /// own, until the pool is closed or dropped.
    pub(super) fn new(pool: SqlitePool, checkpointer: SqliteConnection) -> Self {
        let (closed, checkpointer_closed) = watch::channel(false);
        tokio::spawn(checkpoint_until_closed(checkpointer, pool.close_event(), closed));
        Self {
            pool,
            checkpointer_closed,
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes both connections; the last one to close checkpoints the whole
    /// log and removes it.
    pub async fn close(&self) {
        self.pool.close().await;
        // An error means the task is gone (its runtime ended) with its connection.
        let _ = self.checkpointer_closed.clone().wait_for(|closed| *closed).await;
    }
}

/// Checkpoints every [`CHECKPOINT_SOON`] while the log grows, less and less
/// often (up to [`CHECKPOINT_IDLE`]) while it does not.
async fn checkpoint_until_closed(mut conn: SqliteConnection, pool_closed: CloseEvent, closed: watch::Sender<bool>) {
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
        () = pool_closed => {}
    }
    if let Err(err) = conn.close().await {
        tracing::warn!(error = %err, "could not close the SQLite checkpointer's connection");
    }
    closed.send_replace(true);
}
