-- threads.list pages a user's threads by last activity, `(updated_at, id)`
-- descending from a cursor: without this index every page sorted all of the
-- user's threads (215 requests/s at 6 000 threads against 4 800 at none).
-- (PostgreSQL's 0008 also adds a trigram index for thread search; SQLite has
-- none without a second copy of every message, FTS5, which every turn would
-- pay for in writes.)
create index if not exists ix_tasktalk_conversations_user_activity
    on conversations (user_id, updated_at desc, id desc);
