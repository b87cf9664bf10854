-- ChatKit thread items as full JSON, in thread order. Message text is also
-- written to `messages`, so the web version sees the same conversations.
create table if not exists tasktalk_chat_items (
    seq bigserial primary key,
    id text not null unique,
    conversation_id integer not null references conversations (id) on delete cascade,
    message_id integer references messages (id) on delete set null,
    item_type text not null,
    created_at timestamptz not null,
    item text not null
);
create index if not exists ix_tasktalk_chat_items_conversation on tasktalk_chat_items (conversation_id, seq);
