-- The web version's app tables. Created only if missing: on a database the web
-- version already migrated, its tables and rows are kept as they are.
create table if not exists tasks_phaseiii (
    id serial primary key,
    user_id text not null references "user" ("id") on delete cascade,
    title varchar(200) not null,
    description text,
    completed boolean not null default false,
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp
);
create index if not exists ix_tasks_phaseiii_user_id on tasks_phaseiii (user_id);
create index if not exists ix_tasks_phaseiii_user_id_completed on tasks_phaseiii (user_id, completed);
-- Serves the newest-first page of a user's list without a sort.
create index if not exists ix_tasks_phaseiii_user_id_created_at on tasks_phaseiii (user_id, created_at desc, id desc);

create table if not exists conversations (
    id serial primary key,
    user_id text not null references "user" ("id") on delete cascade,
    external_id text,
    title text,
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp
);
-- A web-version table may predate the chat thread id.
alter table conversations add column if not exists external_id text;
create unique index if not exists ix_conversations_external_id on conversations (external_id);
create index if not exists ix_conversations_user_id on conversations (user_id);

create table if not exists messages (
    id serial primary key,
    conversation_id integer not null references conversations (id) on delete cascade,
    user_id text not null,
    role text not null,
    content text not null,
    created_at timestamptz not null default current_timestamp
);
create index if not exists ix_messages_conversation_id on messages (conversation_id);

-- Failed sign-ins per email, so throttling holds across server instances.
create table if not exists tasktalk_sign_in_throttle (
    email text primary key,
    failures integer not null,
    last_failure_at timestamptz not null,
    locked_until timestamptz
);
