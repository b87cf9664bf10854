//! Threads and items in the database, always scoped to the signed-in user:
//! another user's thread is exactly as invisible as a missing one.
//!
//! The web version's back end shares `conversations` and `messages`: a
//! conversation it started has no ChatKit id (it gets one derived from its
//! row id) and its messages have no items here until they are read, when they
//! are copied in as user and assistant messages.

mod roles;
mod save;

use std::sync::Arc;

use sqlx::error::ErrorKind;

pub(crate) use roles::web_role;
use roles::{ASSISTANT_ROLE, USER_ROLE};
use save::{SaveQueue, TurnWrite};
pub use save::{TurnRecord, TurnThread};

use super::error::Error;
use super::types::{
    InferenceOptions, ItemKind, Order, OutputText, Page, Thread, ThreadItem, ThreadStatus, UserContent,
};
use crate::db::{Database, Dialect};
use crate::on_db;
use crate::random;
use crate::timestamp::Timestamp;

/// Largest page a client may ask for.
pub const PAGE_MAX: u32 = 100;
/// ChatKit's default page size (`limit or 20`).
pub const PAGE_DEFAULT: u32 = 20;
/// Web messages copied into a thread's items per read: bounds the work of one
/// request on a long web conversation (the rest follow on the next reads).
const ADOPT_MAX: i64 = 500;
/// How many of a conversation's newest messages are looked at to tell
/// whether the web version wrote any that are not items yet; see
/// [`web_pending!`]. On SQLite only the newest: its writes are serialized,
/// so message ids follow commit order, and messages are copied oldest first,
/// so when the newest is an item every older one is. On PostgreSQL
/// concurrent transactions can commit ids out of order.
fn pending_window(dialect: Dialect) -> i64 {
    match dialect {
        Dialect::Sqlite => 1,
        Dialect::Postgres => 64,
    }
}
/// The ChatKit id of a conversation the web version started: this prefix and its row id.
const WEB_THREAD_PREFIX: &str = "thr_web_";

/// A thread as stored: `conversations` with the ChatKit id in `external_id`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThreadRow {
    #[sqlx(rename = "id")]
    pub pk: i32,
    #[sqlx(rename = "external_id")]
    pub id: String,
    pub title: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl ThreadRow {
    pub fn to_thread(&self, items: Page<ThreadItem>) -> Thread {
        thread_view(&self.id, self.title.clone(), self.created_at, self.updated_at, items)
    }
}

/// A thread as ChatKit shows it, stored or not yet.
pub fn thread_view(
    id: &str,
    title: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
    items: Page<ThreadItem>,
) -> Thread {
    Thread {
        id: id.to_owned(),
        title,
        created_at: created_at.to_iso(),
        status: ThreadStatus { kind: "active" },
        // Not a ChatKit field: the built-in chat groups its list by it.
        metadata: serde_json::Map::from_iter([("updated_at".to_owned(), updated_at.to_iso().into())]),
        items,
    }
}

/// The thread with its newest items, as [`Store::thread_with_history`] reads
/// them in one query: the items as one JSON array, oldest first, so the
/// database hands over one row instead of one per item, each repeating the
/// thread's columns.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    #[sqlx(flatten)]
    thread: ThreadRow,
    web_pending: bool,
    items: String,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    seq: i64,
    id: String,
    item: String,
}

impl ItemRow {
    fn decode(self) -> Result<(i64, ThreadItem), Error> {
        let item = serde_json::from_str(&self.item).map_err(|e| {
            tracing::error!(item_id = %self.id, error = %e, "a stored chat item does not decode");
            Error::Corrupt
        })?;
        Ok((self.seq, item))
    }
}

/// Ids made here never hold control characters, and PostgreSQL cannot even
/// compare a NUL: an id with one names nothing, without asking the database.
/// `prefix_` + the time in milliseconds (12 hex characters) + 16 random hex
/// characters: unique across every user of a shared database, and rising
/// with time, so that a new id lands at the end of its unique index, on a
/// page the last commit wrote too, rather than on a random page of it.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    random::fill(&mut bytes);
    let millis = Timestamp::now().as_datetime().timestamp_millis() & 0xFFFF_FFFF_FFFF;
    format!("{prefix}_{millis:012x}{}", hex::encode(bytes))
}

fn is_id(id: &str) -> bool {
    !id.chars().any(char::is_control)
}

fn page_limit(limit: Option<u32>) -> i64 {
    i64::from(limit.filter(|l| *l > 0).unwrap_or(PAGE_DEFAULT).min(PAGE_MAX))
}

/// Cuts the extra row fetched to learn whether there is more.
fn into_page<T>(mut rows: Vec<T>, limit: i64, id: impl Fn(&T) -> String) -> Page<T> {
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let after = if has_more { rows.last().map(id) } else { None };
    Page {
        data: rows,
        has_more,
        after,
    }
}

/// Whether the conversation `$conversation` has a user or assistant message
/// of the web version's that is not an item yet (`$user` and `$assistant` the
/// two role parameters, `$window` [`pending_window`]'s). Only the newest
/// messages are looked at, so that a turn on a long thread costs what one on
/// a short thread does (looking at every message took milliseconds per turn
/// after a few thousand). Messages are copied oldest first, so an older one
/// is never left behind a newer copied one, except on PostgreSQL for a
/// message that committed after `$window` newer ones of the same
/// conversation had; all are copied on the next export or full read.
macro_rules! web_pending {
    ($conversation:literal, $user:literal, $assistant:literal, $window:literal) => {
        concat!(
            "exists (select 1 from (select m.id from messages m where m.conversation_id = ",
            $conversation,
            " and upper(cast(m.role as text)) in (",
            $user,
            ", ",
            $assistant,
            ") order by m.id desc limit ",
            $window,
            ") r where not exists (select 1 from tasktalk_chat_items a where a.message_id = r.id))"
        )
    };
}

macro_rules! thread_columns {
    () => {
        thread_columns!("")
    };
    ($t:literal) => {
        concat!(
            $t,
            "id, coalesce(",
            $t,
            "external_id, 'thr_web_' || cast(",
            $t,
            "id as text)) as external_id, ",
            $t,
            "title, ",
            $t,
            "created_at, ",
            $t,
            "updated_at"
        )
    };
}

/// The SQL of [`Store::list_threads`]: binds the user, the cursor's
/// `updated_at` and row id if any, one pattern per word, then the limit.
/// Ordered by activity, ties by row id, so that the cursor is exact.
///
/// A word matches whatever its case. SQLite's `like` already ignores ASCII
/// case (its `lower` changes nothing else), so the column is compared as it
/// is, which halves the time of a search that reads every message;
/// PostgreSQL's `lower(content) like` is what its trigram index (migration
/// 0008) answers. The pattern comes before the role test, which then runs
/// only for the few messages that match.
fn threads_query(dialect: Dialect, words: usize, order: Order, cursor: bool) -> String {
    let (direction, before) = match order {
        Order::Desc => ("desc", "<"),
        Order::Asc => ("asc", ">"),
    };
    let mut sql = concat!(
        "select ",
        thread_columns!(),
        " from conversations c where c.user_id = $1"
    )
    .to_owned();
    let mut next = 2;
    if cursor {
        sql.push_str(&format!(" and (c.updated_at, c.id) {before} ($2, $3)"));
        next = 4;
    }
    if words > 0 {
        let all = |column: &str| {
            (next..next + words)
                .map(|n| match dialect {
                    Dialect::Sqlite => format!("{column} like ${n} escape '\\'"),
                    Dialect::Postgres => format!("lower({column}) like ${n} escape '\\'"),
                })
                .collect::<Vec<_>>()
                .join(" and ")
        };
        sql.push_str(&format!(
            " and (({}) or exists (select 1 from messages m where m.conversation_id = c.id \
             and {} and upper(cast(m.role as text)) in ('{USER_ROLE}', '{ASSISTANT_ROLE}')))",
            all("coalesce(c.title, '')"),
            all("m.content")
        ));
        next += words;
    }
    sql.push_str(&format!(
        " order by c.updated_at {direction}, c.id {direction} limit ${next}"
    ));
    sql
}

/// The row id a web conversation's derived ChatKit id names, or -1 (no row).
fn web_thread_pk(thread_id: &str) -> i32 {
    thread_id
        .strip_prefix(WEB_THREAD_PREFIX)
        .and_then(|pk| pk.parse().ok())
        .unwrap_or(-1)
}

/// A web message not yet copied into the thread's items.
#[derive(sqlx::FromRow)]
struct WebMessage {
    id: i32,
    role: String,
    content: String,
    created_at: Timestamp,
}

impl WebMessage {
    fn to_item(&self, thread: &ThreadRow) -> ThreadItem {
        let kind = if self.role.eq_ignore_ascii_case(USER_ROLE) {
            ItemKind::UserMessage {
                content: vec![UserContent::InputText {
                    text: self.content.clone(),
                }],
                attachments: Vec::new(),
                quoted_text: None,
                inference_options: InferenceOptions::default(),
            }
        } else {
            ItemKind::AssistantMessage {
                content: vec![OutputText::new(self.content.clone())],
            }
        };
        ThreadItem {
            id: format!("msg_web_{}", self.id),
            thread_id: thread.id.clone(),
            created_at: self.created_at.to_iso(),
            kind,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
    /// Turns waiting to be saved, on SQLite.
    saves: Arc<SaveQueue>,
}

impl Store {
    pub fn new(db: Database) -> Self {
        Self {
            db,
            saves: Arc::default(),
        }
    }

    /// The user's thread, or NotFound (also for another user's thread).
    pub async fn thread(&self, user_id: &str, thread_id: &str) -> Result<ThreadRow, Error> {
        if !is_id(thread_id) {
            return Err(Error::ThreadNotFound(thread_id.to_owned()));
        }
        let row: Option<ThreadRow> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "select ", thread_columns!(), " from conversations
             where user_id = $2 and (external_id = $1 or (external_id is null and id = $3))"))
            .bind(thread_id)
            .bind(user_id)
            .bind(web_thread_pk(thread_id))
            .fetch_optional(pool)
            .await)?;
        row.ok_or_else(|| Error::ThreadNotFound(thread_id.to_owned()))
    }

    /// A page of the user's threads, the most recently active first (or last):
    /// all of them, or with `words` those whose title or one message holds
    /// every word (patterns from [`crate::db::like_patterns`]). Web
    /// conversations count by their `messages`, copied into items or not.
    pub async fn list_threads(
        &self,
        user_id: &str,
        words: &[String],
        limit: Option<u32>,
        order: Order,
        after: Option<&str>,
    ) -> Result<Page<ThreadRow>, Error> {
        let limit = page_limit(limit);
        let cursor = match after {
            Some(after) => Some(self.thread(user_id, after).await.map_err(|_| Error::BadCursor)?),
            None => None,
        };
        let sql = threads_query(self.db.dialect(), words.len(), order, cursor.is_some());
        let rows: Vec<ThreadRow> = on_db!(&self.db, pool => {
            // Built from fixed text and numbered placeholders only; every value is bound.
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id);
            if let Some(cursor) = &cursor {
                query = query.bind(cursor.updated_at).bind(cursor.pk);
            }
            for word in words {
                query = query.bind(word);
            }
            query.bind(limit + 1).fetch_all(pool).await
        })?;
        Ok(into_page(rows, limit, |t| t.id.clone()))
    }

    pub async fn set_title(&self, thread: &ThreadRow, title: &str) -> Result<(), Error> {
        on_db!(&self.db, pool => sqlx::query("update conversations set title = $1, updated_at = $2 where id = $3")
            .bind(title)
            .bind(Timestamp::now())
            .bind(thread.pk)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Deletes the thread with its items and messages.
    pub async fn delete_thread(&self, thread: &ThreadRow) -> Result<(), Error> {
        on_db!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from tasktalk_chat_items where conversation_id = $1").bind(thread.pk).execute(&mut *tx).await?;
            sqlx::query("delete from messages where conversation_id = $1").bind(thread.pk).execute(&mut *tx).await?;
            sqlx::query("delete from conversations where id = $1").bind(thread.pk).execute(&mut *tx).await?;
            tx.commit().await
        }.await)?;
        Ok(())
    }

    /// Commits a turn's writes in one transaction: the new thread or the
    /// existing one's `updated_at`, a retry's removal of the later items, the
    /// items in order, and each message's text mirrored into the web
    /// version's `messages`. On PostgreSQL one statement: one round trip;
    /// on SQLite committed with the turns waiting beside it.
    pub async fn save_turn(&self, user_id: &str, turn: &TurnRecord) -> Result<(), Error> {
        let write = TurnWrite::new(user_id, turn).map_err(|_| Error::Corrupt)?;
        let saved = match &self.db {
            Database::Sqlite(sqlite) => self.saves.save(sqlite, write).await,
            Database::Postgres(pool) => save::postgres(pool, &write).await,
        };
        saved.map_err(|err| match (&err, &turn.thread) {
            // A valid token whose user was deleted since.
            (sqlx::Error::Database(db), TurnThread::New { .. }) if db.is_foreign_key_violation() => {
                Error::Unauthorized("This account no longer exists. Sign up again.".into())
            }
            // The thread was deleted while the turn ran, alone or with its
            // account: its row id names nothing (SQLite), or its update
            // returned no row to take the id from (PostgreSQL).
            (sqlx::Error::Database(db), TurnThread::Existing { id, .. })
                if matches!(db.kind(), ErrorKind::ForeignKeyViolation | ErrorKind::NotNullViolation) =>
            {
                Error::ThreadNotFound(id.clone())
            }
            _ => err.into(),
        })
    }

    /// A page of visible items (hidden context never leaves the server).
    pub async fn list_items(
        &self,
        thread: &ThreadRow,
        limit: Option<u32>,
        order: Order,
        after: Option<&str>,
    ) -> Result<Page<ThreadItem>, Error> {
        self.adopt_pending_web_messages(thread).await?;
        let limit = page_limit(limit);
        let cursor = match after {
            Some(after) => self.item(thread, after).await?.ok_or(Error::BadCursor)?.0,
            None if order == Order::Desc => i64::MAX,
            None => 0,
        };
        let rows: Vec<ItemRow> = match order {
            Order::Desc => on_db!(&self.db, pool => sqlx::query_as(
                "select seq, id, item from tasktalk_chat_items where conversation_id = $1 and seq < $2
                 and item_type <> 'sdk_hidden_context' order by seq desc limit $3")
                .bind(thread.pk).bind(cursor).bind(limit + 1).fetch_all(pool).await)?,
            Order::Asc => on_db!(&self.db, pool => sqlx::query_as(
                "select seq, id, item from tasktalk_chat_items where conversation_id = $1 and seq > $2
                 and item_type <> 'sdk_hidden_context' order by seq asc limit $3")
                .bind(thread.pk).bind(cursor).bind(limit + 1).fetch_all(pool).await)?,
        };
        let items = rows
            .into_iter()
            .map(|r| r.decode().map(|(_, item)| item))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, limit, |i| i.id.clone()))
    }

    /// The user's thread (or NotFound) and its newest `count` items, hidden
    /// ones included, oldest first, none after position `up_to`: the model's
    /// context, in one query unless the web version wrote messages to the
    /// thread that are not items yet (they are copied in first). Only an
    /// existing account's thread is found, which confirms the account of a
    /// token in the same statement: the web version's tables need not
    /// delete a user's conversations with the user.
    pub async fn thread_with_history(
        &self,
        user_id: &str,
        thread_id: &str,
        count: u32,
        up_to: Option<i64>,
    ) -> Result<(ThreadRow, Vec<ThreadItem>), Error> {
        let (thread, web_pending, items) = self.read_history(user_id, thread_id, count, up_to).await?;
        if !web_pending {
            return Ok((thread, items));
        }
        self.adopt_web_messages(&thread).await?;
        let (thread, _, items) = self.read_history(user_id, thread_id, count, up_to).await?;
        Ok((thread, items))
    }

    async fn read_history(
        &self,
        user_id: &str,
        thread_id: &str,
        count: u32,
        up_to: Option<i64>,
    ) -> Result<(ThreadRow, bool, Vec<ThreadItem>), Error> {
        if !is_id(thread_id) {
            return Err(Error::ThreadNotFound(thread_id.to_owned()));
        }
        // Items are stored as JSON text, so joining them with commas makes
        // a JSON array without parsing them.
        let row: Option<HistoryRow> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "with t as materialized (select ", thread_columns!("c."), ", ",
                 web_pending!("c.id", "$4", "$5", "$8"), " as web_pending
               from conversations c
               where c.user_id = $2 and (c.external_id = $1 or (c.external_id is null and c.id = $3))
                 and exists (select 1 from \"user\" u where u.id = $2)),
             h as (select seq, item from tasktalk_chat_items
               where conversation_id = (select id from t) and seq <= $6 order by seq desc limit $7)
             select t.*, '[' || coalesce((select string_agg(item, ',' order by seq) from h), '') || ']' as items
             from t"))
            .bind(thread_id)
            .bind(user_id)
            .bind(web_thread_pk(thread_id))
            .bind(USER_ROLE)
            .bind(ASSISTANT_ROLE)
            .bind(up_to.unwrap_or(i64::MAX))
            .bind(i64::from(count))
            .bind(pending_window(self.db.dialect()))
            .fetch_optional(pool)
            .await)?;
        let row = row.ok_or_else(|| Error::ThreadNotFound(thread_id.to_owned()))?;
        let items = serde_json::from_str(&row.items).map_err(|e| {
            tracing::error!(thread_id = %row.thread.id, error = %e, "a stored chat item of this thread does not decode");
            Error::Corrupt
        })?;
        Ok((row.thread, row.web_pending, items))
    }

    /// [`Store::adopt_web_messages`] if the newest messages show some waiting:
    /// one short query when none are, as on every page of a long thread.
    async fn adopt_pending_web_messages(&self, thread: &ThreadRow) -> Result<(), Error> {
        let pending: bool = on_db!(&self.db, pool => sqlx::query_scalar(
            concat!("select ", web_pending!("$1", "$2", "$3", "$4")))
            .bind(thread.pk).bind(USER_ROLE).bind(ASSISTANT_ROLE).bind(pending_window(self.db.dialect()))
            .fetch_one(pool).await)?;
        if pending {
            self.adopt_web_messages(thread).await?;
        }
        Ok(())
    }

    /// Copies the user and assistant messages the web version wrote to this
    /// conversation, oldest first, into its items (after those already
    /// there), so that they list, page and reach the model like any other.
    /// The web's rows are not changed; a concurrent copy of the same message
    /// is a no-op (its item id is derived from the message id).
    /// True when it copied a full batch: more may be waiting.
    async fn adopt_web_messages(&self, thread: &ThreadRow) -> Result<bool, Error> {
        let found: Vec<WebMessage> = on_db!(&self.db, pool => sqlx::query_as(
            "select m.id, cast(m.role as text) as role, m.content, m.created_at from messages m
             where m.conversation_id = $1 and upper(cast(m.role as text)) in ($2, $3)
             and not exists (select 1 from tasktalk_chat_items i where i.message_id = m.id)
             order by m.id limit $4")
            .bind(thread.pk).bind(USER_ROLE).bind(ASSISTANT_ROLE).bind(ADOPT_MAX).fetch_all(pool).await)?;
        if found.is_empty() {
            return Ok(false);
        }
        tracing::debug!(thread_id = %thread.id, count = found.len(), "reading messages written by the web version");
        let mut items = Vec::with_capacity(found.len());
        for message in &found {
            let item = message.to_item(thread);
            let json = serde_json::to_string(&item).map_err(|_| Error::Corrupt)?;
            items.push((message, item, json));
        }
        on_db!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            for (message, item, json) in &items {
                sqlx::query(
                    "insert into tasktalk_chat_items (id, conversation_id, message_id, item_type, created_at, item)
                     values ($1, $2, $3, $4, $5, $6) on conflict do nothing")
                    .bind(&item.id).bind(thread.pk).bind(message.id).bind(item.kind.type_name())
                    .bind(message.created_at).bind(json)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await)?;
        Ok(found.len() as i64 == ADOPT_MAX)
    }

    /// An item of this thread with its position.
    pub async fn item(&self, thread: &ThreadRow, item_id: &str) -> Result<Option<(i64, ThreadItem)>, Error> {
        if !is_id(item_id) {
            return Ok(None);
        }
        let row: Option<ItemRow> = on_db!(&self.db, pool => sqlx::query_as(
            "select seq, id, item from tasktalk_chat_items where conversation_id = $1 and id = $2")
            .bind(thread.pk).bind(item_id).fetch_optional(pool).await)?;
        row.map(ItemRow::decode).transpose()
    }
}

/// A thread with what an export keeps beside its row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThreadRecord {
    #[sqlx(flatten)]
    pub row: ThreadRow,
    pub updated_at: Timestamp,
    /// The id it had in the export it was imported from, if it was.
    pub source_id: Option<String>,
}

/// Reading a user's whole history, for an export.
impl Store {
    /// Every thread of the user, oldest first.
    pub async fn thread_records(&self, user_id: &str) -> Result<Vec<ThreadRecord>, Error> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(concat!(
            "select ", thread_columns!(), ", updated_at,
                 (select s.source_id from tasktalk_imported_conversations s where s.conversation_id = conversations.id) as source_id
             from conversations where user_id = $1 order by id"))
            .bind(user_id)
            .fetch_all(pool)
            .await)?)
    }

    /// Every item of the thread, hidden ones included, in thread order, after
    /// copying in all the web version's messages (a batch at a time).
    pub async fn all_items(&self, thread: &ThreadRow) -> Result<Vec<ThreadItem>, Error> {
        while self.adopt_web_messages(thread).await? {}
        let rows: Vec<ItemRow> = on_db!(&self.db, pool => sqlx::query_as(
            "select seq, id, item from tasktalk_chat_items where conversation_id = $1 order by seq")
            .bind(thread.pk).fetch_all(pool).await)?;
        rows.into_iter().map(|r| r.decode().map(|(_, item)| item)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_id_sorts_after_those_made_before_it_and_is_never_one_of_them() {
        let first = new_id("msg");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later: Vec<String> = (0..1_000).map(|_| new_id("msg")).collect();
        assert!(later.iter().all(|id| *id > first), "{first} {later:?}");
        let distinct: std::collections::HashSet<&String> = later.iter().collect();
        assert_eq!(
            distinct.len(),
            later.len(),
            "the same millisecond still gives distinct ids"
        );
        assert!(
            first
                .strip_prefix("msg_")
                .is_some_and(|hex| hex.len() == 28 && hex.bytes().all(|b| b.is_ascii_hexdigit())),
            "{first}"
        );
    }
}
