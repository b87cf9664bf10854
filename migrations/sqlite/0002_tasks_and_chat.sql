-- The web version's app tables (SQLite flavour: AUTOINCREMENT so a deleted
-- task's number is never given to a new one; dates as ISO-8601 text).
create table if not exists tasks_phaseiii (
    id integer primary key autoincrement,
    user_id text not null references "user" ("id") on delete cascade,
    title varchar(200) not null,
    description text,
    completed integer not null default 0,
    created_at date not null,
    updated_at date not null
);
create index if not exists ix_tasks_phaseiii_user_id on tasks_phaseiii (user_id);
create index if not exists ix_tasks_phaseiii_user_id_completed on tasks_phaseiii (user_id, completed);
create index if not exists ix_tasks_phaseiii_user_id_created_at on tasks_phaseiii (user_id, created_at desc, id desc);

create table if not exists conversations (
    id integer primary key autoincrement,
    user_id text not null references "user" ("id") on delete cascade,
    external_id text,
    title text,
    created_at date not null,
    updated_at date not null
);
create unique index if not exists ix_conversations_external_id on conversations (external_id);
create index if not exists ix_conversations_user_id on conversations (user_id);

create table if not exists messages (
    id integer primary key autoincrement,
    conversation_id integer not null references conversations (id) on delete cascade,
    user_id text not null,
    role text not null,
    content text not null,
    created_at date not null
);
create index if not exists ix_messages_conversation_id on messages (conversation_id);

create table if not exists tasktalk_sign_in_throttle (
    email text primary key,
    failures integer not null,
    last_failure_at date not null,
    locked_until date
);
