-- Sign-in throttle rows older than the window are pruned at each attempt:
-- this index keeps that a short range scan, however many emails were tried.
create index if not exists ix_tasktalk_sign_in_throttle_last_failure_at
    on tasktalk_sign_in_throttle (last_failure_at);
