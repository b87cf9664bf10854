-- Where an imported conversation came from: the thread id it had in the
-- export. With its created_at, the key that keeps a second import of the
-- same file (or of an export of this copy) from adding it again.
create table if not exists tasktalk_imported_conversations (
    conversation_id integer primary key references conversations (id) on delete cascade,
    source_id text not null
);
