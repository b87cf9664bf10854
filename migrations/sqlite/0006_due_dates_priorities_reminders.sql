-- Due dates, priorities, reminders and completion times. Every column is
-- nullable, so an INSERT that names none of them (the web version's) still
-- works, and its SELECTs never see them. Instants are ISO-8601 UTC text, as
-- created_at; a date-only due is that date at 00:00:00 UTC with due_all_day = 1.
alter table tasks_phaseiii add column due_at text;
alter table tasks_phaseiii add column due_all_day integer;
-- 1 low, 2 medium, 3 high; NULL none.
alter table tasks_phaseiii add column priority integer;
alter table tasks_phaseiii add column remind_at text;
alter table tasks_phaseiii add column reminded_at text;
alter table tasks_phaseiii add column completed_at text;
-- Overdue, due today, tomorrow and this week: one range of a user's due_at.
create index if not exists ix_tasks_phaseiii_user_id_due_at on tasks_phaseiii (user_id, due_at);
-- The reminders not yet shown, in the order they fall due.
create index if not exists ix_tasks_phaseiii_user_id_remind_at on tasks_phaseiii (user_id, remind_at)
    where reminded_at is null;
