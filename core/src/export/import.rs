//! An import in two steps: [`Plan::check`] checks every field of the file by
//! the app's own rules (nothing is written yet), then [`write`] adds what the
//! account lacks in one transaction.

use std::collections::HashSet;

use super::document::{Conversation, Document};
use super::{Error, Meter, OnProgress, Result, Summary};
use crate::chatkit::limits::{self, MAX_ID_BYTES};
use crate::chatkit::store::{new_id, web_role};
use crate::chatkit::types::{ItemKind, ThreadItem};
use crate::db::{Database, Dialect};
use crate::on_db;
use crate::tasks::TaskRecord;
use crate::timestamp::Timestamp;

/// A conversation's natural key: when it was created and the id it was first given.
type ConversationKey = (Timestamp, String);

/// The file's content, every field checked.
pub(super) struct Plan {
    tasks: Vec<TaskRecord>,
    conversations: Vec<PlannedConversation>,
    items: usize,
}

struct PlannedConversation {
    key: ConversationKey,
    title: Option<String>,
    updated_at: Timestamp,
    items: Vec<PlannedItem>,
}

struct PlannedItem {
    created_at: Timestamp,
    kind: ItemKind,
}

impl Plan {
    /// Refuses the whole file at its first field that the app would refuse,
    /// naming where it is (1-based) but not repeating its content.
    pub(super) fn check(document: Document) -> Result<Self> {
        let tasks = document
            .tasks
            .into_iter()
            .enumerate()
            .map(|(i, task)| task.checked().map_err(|e| located(format!("task {}", i + 1), e)))
            .collect::<Result<Vec<_>>>()?;
        let mut items = 0;
        let mut conversations = Vec::with_capacity(document.conversations.len());
        for (i, conversation) in document.conversations.into_iter().enumerate() {
            let planned = conversation_plan(conversation, i + 1)?;
            items += planned.items.len();
            conversations.push(planned);
        }
        Ok(Self {
            tasks,
            conversations,
            items,
        })
    }
}

fn located(place: String, err: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{place}: {err}"))
}

fn conversation_plan(conversation: Conversation, number: usize) -> Result<PlannedConversation> {
    let place = || format!("conversation {number}");
    let origin = conversation.origin_id();
    if origin.len() > MAX_ID_BYTES || origin.is_empty() || origin.chars().any(char::is_control) {
        return Err(located(
            place(),
            format!("its id must be 1 to {MAX_ID_BYTES} bytes without control characters."),
        ));
    }
    let key = (conversation.created_at, origin.to_owned());
    // An empty title is an untitled conversation, as a new one is.
    let title = match conversation.title.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(title) => Some(limits::check_title(title).map_err(|e| located(place(), e))?.to_owned()),
    };
    let items = conversation
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let place = || format!("conversation {number}, item {}", i + 1);
            let created_at = Timestamp::parse_rfc3339(&item.created_at)
                .ok_or_else(|| located(place(), "its created_at is not an RFC 3339 time."))?;
            let kind = limits::stored_item(item.kind).map_err(|e| located(place(), e))?;
            Ok(PlannedItem { created_at, kind })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PlannedConversation {
        key,
        title,
        updated_at: conversation.updated_at,
        items,
    })
}

/// The id prefix the chat gives an item of this kind.
fn id_prefix(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::UserMessage { .. } | ItemKind::AssistantMessage { .. } => "msg",
        ItemKind::Task { .. } => "tsk",
        ItemKind::EndOfTurn => "eot",
        ItemKind::SdkHiddenContext { .. } => "shcx",
    }
}

/// Rows per multi-row INSERT: a few thousand bound values, far under both
/// dialects' limits, and a round trip per 500 rows instead of per row.
const ROWS_PER_INSERT: usize = 500;

/// An item as written: with its new ids, its JSON and its message text.
struct ItemRow {
    id: String,
    item_type: &'static str,
    created_at: Timestamp,
    json: String,
    message: Option<(&'static str, String)>,
}

impl ItemRow {
    fn new(planned: &PlannedItem, thread_id: &str) -> Result<Self> {
        let item = ThreadItem {
            id: new_id(id_prefix(&planned.kind)),
            thread_id: thread_id.to_owned(),
            created_at: planned.created_at.to_iso(),
            kind: planned.kind.clone(),
        };
        Ok(Self {
            json: serde_json::to_string(&item).map_err(|_| Error::Corrupt)?,
            item_type: item.kind.type_name(),
            created_at: planned.created_at,
            message: item.kind.message_text(),
            id: item.id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ExistingConversation {
    created_at: Timestamp,
    external_id: String,
    source_id: Option<String>,
}

/// Writes what the account lacks, in one transaction: on any failure
/// nothing is written. The user's row is locked first (PostgreSQL) so that
/// two imports for one user cannot both find a conversation missing.
pub(super) async fn write(db: &Database, user_id: &str, plan: Plan, progress: OnProgress<'_>) -> Result<Summary> {
    let lock_user = match db.dialect() {
        Dialect::Postgres => r#"select id from "user" where id = $1 for update"#,
        Dialect::Sqlite => r#"select id from "user" where id = $1"#,
    };
    let mut meter = Meter::new(plan.tasks.len() + plan.items, progress);
    let mut summary = Summary::default();
    let summary_ref = &mut summary;
    on_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        let found: Option<String> = sqlx::query_scalar(lock_user).bind(user_id).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(Error::AccountNotFound);
        }
        let mut task_keys: HashSet<(Timestamp, String)> = sqlx::query_as(
            "select created_at, title from tasks_phaseiii where user_id = $1")
            .bind(user_id).fetch_all(&mut *tx).await?.into_iter().collect();
        let mut fresh = Vec::with_capacity(plan.tasks.len());
        for task in &plan.tasks {
            if task_keys.insert((task.created_at, task.title.clone())) {
                fresh.push(task);
            } else {
                summary_ref.tasks_skipped += 1;
                meter.add(1);
            }
        }
        for chunk in fresh.chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at,
                     due_at, due_all_day, priority, remind_at, reminded_at, completed_at) ");
            insert.push_values(chunk, |mut row, task| {
                row.push_bind(user_id).push_bind(&task.title).push_bind(&task.description).push_bind(task.completed)
                    .push_bind(task.created_at).push_bind(task.updated_at)
                    .push_bind(task.due_at).push_bind(task.due_at.map(|_| task.due_all_day))
                    .push_bind(task.priority.level()).push_bind(task.remind_at).push_bind(task.reminded_at)
                    .push_bind(task.completed_at);
            });
            insert.build().execute(&mut *tx).await?;
            summary_ref.tasks_added += chunk.len() as u64;
            meter.add(chunk.len());
        }
        let existing: Vec<ExistingConversation> = sqlx::query_as(
            "select created_at, coalesce(external_id, 'thr_web_' || cast(id as text)) as external_id,
                 (select s.source_id from tasktalk_imported_conversations s where s.conversation_id = conversations.id) as source_id
             from conversations where user_id = $1")
            .bind(user_id).fetch_all(&mut *tx).await?;
        let mut conversation_keys: HashSet<ConversationKey> = HashSet::with_capacity(existing.len() * 2);
        for row in existing {
            if let Some(source) = row.source_id {
                conversation_keys.insert((row.created_at, source));
            }
            conversation_keys.insert((row.created_at, row.external_id));
        }
        for conversation in &plan.conversations {
            if !conversation_keys.insert(conversation.key.clone()) {
                meter.add(conversation.items.len());
                summary_ref.conversations_skipped += 1;
                continue;
            }
            let thread_id = new_id("thr");
            let pk: i32 = sqlx::query_scalar(
                "insert into conversations (user_id, external_id, title, created_at, updated_at)
                 values ($1, $2, $3, $4, $5) returning id")
                .bind(user_id).bind(&thread_id).bind(&conversation.title)
                .bind(conversation.key.0).bind(conversation.updated_at)
                .fetch_one(&mut *tx).await?;
            sqlx::query("insert into tasktalk_imported_conversations (conversation_id, source_id) values ($1, $2)")
                .bind(pk).bind(&conversation.key.1).execute(&mut *tx).await?;
            let rows = conversation
                .items
                .iter()
                .map(|planned| ItemRow::new(planned, &thread_id))
                .collect::<Result<Vec<_>>>()?;
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                // Messages also go to `messages`, as the chat writes them, so the web version reads them too.
                let messages: Vec<&ItemRow> = chunk.iter().filter(|row| row.message.is_some()).collect();
                let mut message_ids = Vec::new();
                if !messages.is_empty() {
                    let mut insert = sqlx::QueryBuilder::new(
                        "insert into messages (conversation_id, user_id, role, content, created_at) ");
                    insert.push_values(&messages, |mut values, row| {
                        let (role, text) = row.message.as_ref().map_or(("assistant", ""), |(r, t)| (*r, t.as_str()));
                        values.push_bind(pk).push_bind(user_id).push_bind(web_role(role)).push_bind(text)
                            .push_bind(row.created_at);
                    });
                    insert.push(" returning id");
                    message_ids = insert.build_query_scalar::<i32>().fetch_all(&mut *tx).await?;
                }
                if message_ids.len() != messages.len() {
                    return Err(Error::Corrupt);
                }
                let mut message_ids = message_ids.into_iter();
                let mut insert = sqlx::QueryBuilder::new(
                    "insert into tasktalk_chat_items (id, conversation_id, message_id, item_type, created_at, item) ");
                insert.push_values(chunk, |mut values, row| {
                    let message_id = row.message.as_ref().and_then(|_| message_ids.next());
                    values.push_bind(&row.id).push_bind(pk).push_bind(message_id).push_bind(row.item_type)
                        .push_bind(row.created_at).push_bind(&row.json);
                });
                insert.build().execute(&mut *tx).await?;
                summary_ref.items_added += chunk.len() as u64;
                meter.add(chunk.len());
            }
            summary_ref.conversations_added += 1;
        }
        tx.commit().await?;
        Ok::<_, Error>(())
    }.await)?;
    Ok(summary)
}
