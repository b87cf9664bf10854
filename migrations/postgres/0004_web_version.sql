-- The web version's hand-written "jwks" lacks Better Auth's "expiresAt", "alg"
-- and "crv". Added as nullable columns, which its readers never see and a key
-- it writes leaves NULL (read as an Ed25519 key that does not expire).
alter table "jwks" add column if not exists "expiresAt" timestamptz;
alter table "jwks" add column if not exists "alg" text;
alter table "jwks" add column if not exists "crv" text;

-- Finds the web version's messages that have no item here yet (see the chat store).
create index if not exists ix_tasktalk_chat_items_message on tasktalk_chat_items (message_id);
