-- Whether the web version wrote messages that are not chat items yet is
-- read from a conversation's newest messages, `conversation_id = $1 order by
-- id desc limit 64`, on every turn and every page of a thread. Without this
-- index that read fetched and sorted all of the conversation's messages.
-- (SQLite's `ix_messages_conversation_id` already holds each conversation's
-- rows in id order: the row id is part of every index entry.)
create index if not exists ix_tasktalk_messages_conversation_recent
    on messages (conversation_id, id desc);
