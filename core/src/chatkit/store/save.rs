//! A turn's save: what one streamed turn writes, committed in one
//! transaction. On PostgreSQL one statement, so one round trip. On SQLite
//! group commit: each turn's writes are queued, and whichever waiting turn
//! gets SQLite's one connection commits every turn queued by then, in one
//! transaction sent to the connection's worker thread as one batch
//! (`begin`, each turn's statements, `commit`).
//!
//! Why group commit: the connection is held from `begin` to `commit`, and
//! each use of it is a hand-off to its worker thread and back; under load
//! those waits, not SQLite's work, decided how many turns a second could be
//! stored, and each commit rewrote the pages every turn touches (the tables'
//! last leaves, `sqlite_sequence`). A turn alone still commits at once: it
//! is the only one queued when it gets the connection.

use std::sync::{Mutex, PoisonError};

use sqlx::QueryBuilder;
use sqlx::postgres::Postgres;
use sqlx::sqlite::Sqlite;
use tokio::sync::oneshot;

use super::roles::web_role;
use crate::chatkit::types::ThreadItem;
use crate::db::{SqliteDatabase, SqliteLease};
use crate::timestamp::Timestamp;

/// What one streamed turn writes: [`Store::save_turn`](super::Store::save_turn) commits it at once.
#[derive(Debug)]
pub struct TurnRecord {
    pub thread: TurnThread,
    /// In thread order, each with the time it was made.
    pub items: Vec<(ThreadItem, Timestamp)>,
}

/// The thread a turn writes to.
#[derive(Clone, Debug)]
pub enum TurnThread {
    /// Started by this turn: inserted with its items.
    New {
        id: String,
        title: Option<String>,
        created_at: Timestamp,
    },
    /// Already stored; a retry replaces the items after position `replace_after`.
    Existing {
        id: String,
        pk: i32,
        replace_after: Option<i64>,
    },
}

/// One item of a turn, encoded for the database.
struct ItemWrite {
    id: String,
    item_type: &'static str,
    at: Timestamp,
    json: String,
    /// Its role and text, for `messages`, if it is a message.
    message: Option<(&'static str, String)>,
}

/// What [`Store::save_turn`](super::Store::save_turn) writes, owned: on SQLite it may wait in the
/// group commit's queue and be written by another turn's task.
pub(super) struct TurnWrite {
    user_id: String,
    thread: TurnThread,
    rows: Vec<ItemWrite>,
    now: Timestamp,
}

impl TurnWrite {
    /// Encodes the turn's items, as of now.
    pub(super) fn new(user_id: &str, turn: &TurnRecord) -> serde_json::Result<Self> {
        let mut rows = Vec::with_capacity(turn.items.len());
        for (item, at) in &turn.items {
            rows.push(ItemWrite {
                id: item.id.clone(),
                item_type: item.kind.type_name(),
                at: *at,
                json: serde_json::to_string(item)?,
                message: item.kind.message_text(),
            });
        }
        Ok(Self {
            user_id: user_id.to_owned(),
            thread: turn.thread.clone(),
            rows,
            now: Timestamp::now(),
        })
    }
}

/// [`Store::save_turn`](super::Store::save_turn) on PostgreSQL: one statement, so one round trip and
/// its own transaction. Data-modifying `with` clauses run on one snapshot and
/// pass their rows on by `returning`: the thread's row id from `c`, the
/// message ids from `m`. Built from fixed text and numbered placeholders
/// only; every value is bound.
pub(super) async fn postgres(pool: &crate::db::PgDatabase, turn: &TurnWrite) -> Result<(), sqlx::Error> {
    let TurnWrite {
        user_id,
        thread,
        rows,
        now,
    } = turn;
    let mut sql = sqlx::QueryBuilder::<Postgres>::new("with c as (");
    match thread {
        TurnThread::New { id, title, created_at } => {
            sql.push("insert into conversations (user_id, external_id, title, created_at, updated_at) values (")
                .push_bind(user_id)
                .push(", ")
                .push_bind(id)
                .push(", ")
                .push_bind(title.as_deref())
                .push(", ")
                .push_bind(*created_at)
                .push(", ")
                .push_bind(now)
                .push(") returning id)");
        }
        TurnThread::Existing { pk, replace_after, .. } => {
            sql.push("update conversations set updated_at = ")
                .push_bind(now)
                .push(" where id = ")
                .push_bind(*pk)
                .push(" returning id)");
            if let Some(seq) = replace_after {
                // Both read the snapshot from before the statement: the
                // items inserted below are not among those they remove.
                sql.push(", gone as (select message_id from tasktalk_chat_items where conversation_id = ")
                    .push_bind(*pk)
                    .push(" and seq > ")
                    .push_bind(*seq)
                    .push("), dm as (delete from messages where id in (select message_id from gone))")
                    .push(", di as (delete from tasktalk_chat_items where conversation_id = ")
                    .push_bind(*pk)
                    .push(" and seq > ")
                    .push_bind(*seq)
                    .push(")");
            }
        }
    }
    let messages = rows.iter().filter(|row| row.message.is_some()).count();
    if messages > 0 {
        sql.push(", m as (insert into messages (conversation_id, user_id, role, content, created_at) values ");
        let mut values = sql.separated(", ");
        for row in rows {
            if let Some((role, text)) = &row.message {
                values
                    .push("((select id from c), ")
                    .push_bind_unseparated(user_id)
                    .push_unseparated(", ")
                    .push_bind_unseparated(web_role(role))
                    .push_unseparated(", ")
                    .push_bind_unseparated(text.as_str())
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.at)
                    .push_unseparated(")");
            }
        }
        // The rows of one VALUES list take their serial ids in list order.
        sql.push(" returning id), n as (select id, row_number() over (order by id) as k from m)");
    }
    if rows.is_empty() {
        sql.push(" select 1");
    } else {
        sql.push(
            " insert into tasktalk_chat_items (id, conversation_id, message_id, item_type, created_at, item) values ",
        );
        let mut k = 0_i64;
        let mut values = sql.separated(", ");
        for row in rows {
            values
                .push("(")
                .push_bind_unseparated(&row.id)
                .push_unseparated(", (select id from c), ");
            if row.message.is_some() {
                k += 1;
                values
                    .push_unseparated("(select id from n where k = ")
                    .push_bind_unseparated(k)
                    .push_unseparated(")");
            } else {
                values.push_unseparated("null");
            }
            values
                .push_unseparated(", ")
                .push_bind_unseparated(row.item_type)
                .push_unseparated(", ")
                .push_bind_unseparated(row.at)
                .push_unseparated(", ")
                .push_bind_unseparated(&row.json)
                .push_unseparated(")");
        }
    }
    sql.build().execute(pool).await.map(|_| ())
}

/// At most this many turns commit together: a batch holds the connection
/// for all of them, and reads wait behind it.
const MAX_BATCH: usize = 32;

type Queued = (TurnWrite, oneshot::Sender<Result<(), sqlx::Error>>);

/// The turns waiting to be saved on one SQLite database.
#[derive(Default)]
pub(super) struct SaveQueue(Mutex<Vec<Queued>>);

impl std::fmt::Debug for SaveQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SaveQueue")
    }
}

impl SaveQueue {
    /// Saves `turn`, alone or with the turns queued beside it. If any turn
    /// of a batch fails, each of them is retried alone, so one turn's error
    /// (its thread deleted meanwhile) costs no other turn its save. A turn
    /// whose task is dropped while it waits stays queued and is saved with
    /// the next batch.
    pub(super) async fn save(&self, db: &SqliteDatabase, turn: TurnWrite) -> Result<(), sqlx::Error> {
        let (done, mut saved) = oneshot::channel();
        self.queue().push((turn, done));
        tokio::select! {
            biased;
            // Another turn's task committed it.
            result = &mut saved => return result.unwrap_or_else(|_| Err(interrupted())),
            connection = db.acquire() => {
                let batch = self.take();
                match connection {
                    Ok(connection) => commit_batch(db, connection, batch).await,
                    Err(err) => {
                        for (_, done) in batch {
                            let _ = done.send(Err(shared(&err)));
                        }
                    }
                }
            }
        }
        // Ours was in the batch just committed, or is in one another task is
        // committing (it took the queue before this task got the connection).
        saved.await.unwrap_or_else(|_| Err(interrupted()))
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Queued>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take(&self) -> Vec<Queued> {
        let mut queue = self.queue();
        let n = queue.len().min(MAX_BATCH);
        queue.drain(..n).collect()
    }
}

/// The task committing a turn's batch was dropped before it answered.
fn interrupted() -> sqlx::Error {
    sqlx::Error::Protocol("the save of this turn was interrupted".into())
}

/// One error of the connection, told to each turn that waited on it.
fn shared(err: &sqlx::Error) -> sqlx::Error {
    match err {
        sqlx::Error::PoolTimedOut => sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        other => sqlx::Error::Protocol(format!("could not reach the database: {other}")),
    }
}

async fn commit_batch(db: &SqliteDatabase, connection: SqliteLease, batch: Vec<Queued>) {
    let turns: Vec<&TurnWrite> = batch.iter().map(|(turn, _)| turn).collect();
    match commit(connection, &turns).await {
        Ok(()) => {
            for (_, done) in batch {
                let _ = done.send(Ok(()));
            }
        }
        Err(err) if batch.len() == 1 => {
            if let Some((_, done)) = batch.into_iter().next() {
                let _ = done.send(Err(err));
            }
        }
        Err(err) => {
            tracing::debug!(turns = batch.len(), error = %err, "a batch of turns failed; saving each alone");
            for (turn, done) in batch {
                let alone = async { commit(db.acquire().await?, &[&turn]).await }.await;
                let _ = done.send(alone);
            }
        }
    }
}

/// Commits `turns` in one transaction, in order. A message's id is read
/// back in SQL (a turn's messages are its thread's newest when its items
/// are inserted: statements run in order, and nothing else writes inside
/// the transaction), and a new thread's from its unique ChatKit id.
async fn commit(connection: SqliteLease, turns: &[&TurnWrite]) -> Result<(), sqlx::Error> {
    let mut sql = QueryBuilder::<Sqlite>::new("begin; ");
    for turn in turns {
        push_turn(&mut sql, turn);
    }
    sql.push(" commit;");
    let mut batch = OwnTransaction {
        connection,
        ended: false,
    };
    sql.build().execute(&mut *batch.connection).await?;
    batch.ended = true;
    Ok(())
}

/// Appends one turn's statements: the new thread or the existing one's
/// `updated_at`, a retry's removal of the later items, the messages, the
/// items.
fn push_turn(sql: &mut QueryBuilder<Sqlite>, turn: &TurnWrite) {
    let TurnWrite {
        user_id,
        thread,
        rows,
        now,
    } = turn;
    // The thread's row id, as an expression.
    let thread_pk = |sql: &mut QueryBuilder<Sqlite>| match thread {
        TurnThread::New { id, .. } => {
            sql.push("(select id from conversations where external_id = ")
                .push_bind(id.as_str())
                .push(")");
        }
        TurnThread::Existing { pk, .. } => {
            sql.push_bind(*pk);
        }
    };
    match thread {
        TurnThread::New { id, title, created_at } => {
            sql.push("insert into conversations (user_id, external_id, title, created_at, updated_at) values (")
                .push_bind(user_id.as_str())
                .push(", ")
                .push_bind(id.as_str())
                .push(", ")
                .push_bind(title.as_deref())
                .push(", ")
                .push_bind(*created_at)
                .push(", ")
                .push_bind(*now)
                .push(");");
        }
        TurnThread::Existing { pk, replace_after, .. } => {
            if let Some(seq) = replace_after {
                sql.push(
                    "delete from messages where id in
                     (select message_id from tasktalk_chat_items where conversation_id = ",
                )
                .push_bind(*pk)
                .push(" and seq > ")
                .push_bind(*seq)
                .push("); delete from tasktalk_chat_items where conversation_id = ")
                .push_bind(*pk)
                .push(" and seq > ")
                .push_bind(*seq)
                .push(";");
            }
            sql.push("update conversations set updated_at = ")
                .push_bind(*now)
                .push(" where id = ")
                .push_bind(*pk)
                .push(";");
        }
    }
    let messages = rows.iter().filter(|row| row.message.is_some()).count();
    if messages > 0 {
        sql.push(" insert into messages (conversation_id, user_id, role, content, created_at) values ");
        let mut first = true;
        for row in rows {
            if let Some((role, text)) = &row.message {
                sql.push(if first { "(" } else { ", (" });
                first = false;
                thread_pk(sql);
                sql.push(", ")
                    .push_bind(user_id.as_str())
                    .push(", ")
                    .push_bind(web_role(role))
                    .push(", ")
                    .push_bind(text.as_str())
                    .push(", ")
                    .push_bind(row.at)
                    .push(")");
            }
        }
        sql.push(";");
    }
    if !rows.is_empty() {
        sql.push(
            " insert into tasktalk_chat_items (id, conversation_id, message_id, item_type, created_at, item) values ",
        );
        // Messages still to come after this item's: its message's offset from the newest.
        let mut later = messages;
        for (n, row) in rows.iter().enumerate() {
            sql.push(if n == 0 { "(" } else { ", (" })
                .push_bind(row.id.as_str())
                .push(", ");
            thread_pk(sql);
            sql.push(", ");
            if row.message.is_some() {
                later -= 1;
                sql.push("(select id from messages where conversation_id = ");
                thread_pk(sql);
                sql.push(" order by id desc limit 1 offset ")
                    .push_bind(i64::try_from(later).unwrap_or(i64::MAX))
                    .push(")");
            } else {
                sql.push("null");
            }
            sql.push(", ")
                .push_bind(row.item_type)
                .push(", ")
                .push_bind(row.at)
                .push(", ")
                .push_bind(row.json.as_str())
                .push(")");
        }
        sql.push(";");
    }
}

/// The connection a batch that begins and commits its own transaction runs
/// on. Unless the batch is seen to end, the next holder of the connection
/// rolls back first: a batch that failed or was cancelled part-way stops at
/// that statement, with its transaction still open.
struct OwnTransaction {
    connection: SqliteLease,
    ended: bool,
}

impl Drop for OwnTransaction {
    fn drop(&mut self) {
        if !self.ended {
            self.connection.mark_unfinished_batch();
        }
    }
}
