-- Due dates, priorities, reminders and completion times. Every column is
-- nullable, so the web version's INSERTs, which name none of them, still
-- work, and its SELECTs never see them. A date-only due is that date at
-- 00:00:00 UTC with due_all_day true.
alter table tasks_phaseiii add column if not exists due_at timestamptz;
alter table tasks_phaseiii add column if not exists due_all_day boolean;
-- 1 low, 2 medium, 3 high; NULL none.
alter table tasks_phaseiii add column if not exists priority smallint;
alter table tasks_phaseiii add column if not exists remind_at timestamptz;
alter table tasks_phaseiii add column if not exists reminded_at timestamptz;
alter table tasks_phaseiii add column if not exists completed_at timestamptz;
-- Overdue, due today, tomorrow and this week: one range of a user's due_at.
create index if not exists ix_tasks_phaseiii_user_id_due_at on tasks_phaseiii (user_id, due_at);
-- The reminders not yet shown, in the order they fall due.
create index if not exists ix_tasks_phaseiii_user_id_remind_at on tasks_phaseiii (user_id, remind_at)
    where reminded_at is null;
