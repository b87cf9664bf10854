-- ChatKit thread items as full JSON, in thread order (see the PostgreSQL twin).
create table if not exists tasktalk_chat_items (
    seq integer primary key autoincrement,
    id text not null unique,
    conversation_id integer not null references conversations (id) on delete cascade,
    message_id integer references messages (id) on delete set null,
    item_type text not null,
    created_at date not null,
    item text not null
);
create index if not exists ix_tasktalk_chat_items_conversation on tasktalk_chat_items (conversation_id, seq);
