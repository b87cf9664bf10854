-- PostgreSQL's 0008 adds a trigram index for thread search. SQLite has no
-- such index without a second copy of every message (FTS5), which every
-- turn would pay for in writes; its search compares the text as stored
-- (chatkit/store.rs). Kept so that both dialects number their migrations alike.
select 1;
