//! Reminders: at a task's `remind_at` a native notification names it, once.
//!
//! The scheduler sleeps until the next reminder (or [`LOOK_AHEAD`], so a
//! reminder set elsewhere — the web version on a shared database, the CLI —
//! is noticed within a minute) and wakes early when the tasks or the session
//! change. Each reminder is marked shown before it is shown, so a database
//! that cannot record it never makes the same reminder pop up again and
//! again. Reminders that fell due while the app was off are simply due at
//! the first look after the start, and are shown then, once.
//!
//! What it reads, how it shows and what time it is are traits, so the tests
//! drive it with an injected clock; [`Shell`] is the real app's side.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use tasktalk_core::tasks::{Task, TaskId};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::Notify;

use crate::error::Result;
use crate::state::AppState;

/// The longest sleep: how late a reminder set outside this app can be.
pub const LOOK_AHEAD: TimeDelta = TimeDelta::seconds(60);

/// More reminders than this at one time (after a day off, say) are shown as
/// one notification that lists them, not a burst of them.
const SHOWN_ONE_BY_ONE: usize = 3;

/// A task to remind of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub task: TaskId,
    pub title: String,
    pub at: DateTime<Utc>,
}

/// The signed-in user's reminders, wherever they are kept.
pub trait Source: Send + Sync {
    /// The reminders due by `until` and not shown yet, with the user they
    /// belong to; `None` when nobody is signed in or reminders are off.
    fn due_by(&self, until: DateTime<Utc>) -> impl Future<Output = Result<Option<Due>>> + Send;

    /// Records that the reminder of `task` was shown at `at`.
    fn mark_shown(&self, user: &str, task: TaskId, at: DateTime<Utc>) -> impl Future<Output = Result<()>> + Send;
}

/// What [`Source::due_by`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub user: String,
    pub reminders: Vec<Reminder>,
}

/// Shows a notification.
pub trait Notifier: Send + Sync {
    fn show(&self, title: &str, body: &str);
}

/// What time it is.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Shows every reminder due at `now` once, and says when to look again:
/// at the next reminder, or after [`LOOK_AHEAD`] at the latest.
pub async fn step(source: &impl Source, notifier: &impl Notifier, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let latest = now + LOOK_AHEAD;
    let Some(Due { user, reminders }) = source.due_by(latest).await? else {
        return Ok(latest);
    };
    let (due, later): (Vec<_>, Vec<_>) = reminders.into_iter().partition(|r| r.at <= now);
    let mut shown = Vec::new();
    for reminder in due {
        match source.mark_shown(&user, reminder.task, now).await {
            Ok(()) => shown.push(reminder),
            Err(err) => tracing::warn!(task = reminder.task, error = %err, "could not record a reminder; not shown"),
        }
    }
    if shown.len() > SHOWN_ONE_BY_ONE {
        let titles: Vec<&str> = shown.iter().map(|r| r.title.as_str()).collect();
        notifier.show(&format!("{} reminders", shown.len()), &titles.join("\n"));
    } else {
        for reminder in &shown {
            notifier.show(&reminder.title, "Reminder from Tasktalk");
        }
    }
    Ok(later.iter().map(|r| r.at).min().unwrap_or(latest).min(latest))
}

/// Runs [`step`] for as long as the app runs: sleeps until the time it
/// returns, or until `wake` is notified (a task or the session changed).
pub async fn run(source: impl Source, notifier: impl Notifier, clock: impl Clock, wake: Arc<Notify>) {
    loop {
        let now = clock.now();
        let next = match step(&source, &notifier, now).await {
            Ok(next) => next,
            Err(err) => {
                tracing::warn!(error = %err, "could not read the reminders; trying again later");
                now + LOOK_AHEAD
            }
        };
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = wake.notified() => {}
        }
    }
}

/// The real app's side: the signed-in user's tasks in the app's core, shown
/// with the platform's notifications.
#[derive(Debug)]
pub struct Shell<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> Source for Shell<R> {
    async fn due_by(&self, until: DateTime<Utc>) -> Result<Option<Due>> {
        let state = self.0.state::<AppState>();
        if !state.settings.read().await.reminders {
            return Ok(None);
        }
        let Ok(token) = state.session_token() else {
            return Ok(None);
        };
        let backend = state.backend().await?;
        let user = backend.services.accounts.session(token.expose()).await?.user.id;
        let tasks = backend.services.tasks.due_reminders(&user, until.into()).await?;
        let reminders = tasks.into_iter().filter_map(reminder).collect();
        Ok(Some(Due { user, reminders }))
    }

    async fn mark_shown(&self, user: &str, task: TaskId, at: DateTime<Utc>) -> Result<()> {
        let backend = self.0.state::<AppState>().backend().await?;
        backend.services.tasks.mark_reminded(user, task, at.into()).await?;
        Ok(())
    }
}

fn reminder(task: Task) -> Option<Reminder> {
    Some(Reminder {
        at: task.remind_at?.as_datetime(),
        task: task.id,
        title: task.title,
    })
}

impl<R: Runtime> Notifier for Shell<R> {
    fn show(&self, title: &str, body: &str) {
        // On Linux this is a `Notify` call on the session D-Bus; no answer
        // comes back (the plugin cannot report a click on the desktop).
        if let Err(err) = self.0.notification().builder().title(title).body(body).show() {
            tracing::warn!(error = %err, "could not show a reminder");
        }
    }
}

/// Starts the scheduler for the app's lifetime.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let wake = Arc::clone(&app.state::<AppState>().wake_reminders);
    let shell = Shell(app.clone());
    let notifier = Shell(app.clone());
    tauri::async_runtime::spawn(run(shell, notifier, SystemClock, wake));
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A shown reminder's task and when it was recorded as shown.
    type Marked = (TaskId, DateTime<Utc>);

    /// Reminders in memory, as the database keeps them; clones share them.
    #[derive(Clone, Default)]
    struct Memory {
        pending: Arc<Mutex<Vec<Reminder>>>,
        marked: Arc<Mutex<Vec<Marked>>>,
    }

    impl Memory {
        fn with(reminders: &[(TaskId, &str, DateTime<Utc>)]) -> Self {
            let memory = Self::default();
            for &(task, title, at) in reminders {
                memory.set(task, title, at);
            }
            memory
        }

        /// Sets (or changes) a task's reminder; a changed one is pending again.
        fn set(&self, task: TaskId, title: &str, at: DateTime<Utc>) {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.retain(|r| r.task != task);
            pending.push(Reminder {
                task,
                title: title.into(),
                at,
            });
        }
    }

    impl Source for Memory {
        async fn due_by(&self, until: DateTime<Utc>) -> Result<Option<Due>> {
            let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let reminders = pending.iter().filter(|r| r.at <= until).cloned().collect();
            Ok(Some(Due {
                user: "ann".into(),
                reminders,
            }))
        }

        async fn mark_shown(&self, user: &str, task: TaskId, at: DateTime<Utc>) -> Result<()> {
            assert_eq!(user, "ann");
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|r| r.task != task);
            self.marked.lock().unwrap_or_else(|e| e.into_inner()).push((task, at));
            Ok(())
        }
    }

    /// The notifications shown; clones share them.
    #[derive(Clone, Default)]
    struct Shown(Arc<Mutex<Vec<String>>>);

    impl Shown {
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
        }
    }

    impl Notifier for Shown {
        fn show(&self, title: &str, body: &str) {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(format!("{title}: {body}"));
        }
    }

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-24T16:59:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn seconds(n: i64) -> TimeDelta {
        TimeDelta::seconds(n)
    }

    #[tokio::test]
    async fn a_reminder_fires_at_its_time_not_before_and_once() {
        let at = start() + seconds(30);
        let memory = Memory::with(&[(1, "call mom", at)]);
        let shown = Shown::default();

        let next = step(&memory, &shown, start()).await.ok();
        assert_eq!(next, Some(at), "sleeps until the reminder");
        assert_eq!(shown.take(), Vec::<String>::new(), "not before its time");

        let next = step(&memory, &shown, at - seconds(1)).await.ok();
        assert_eq!((next, shown.take().len()), (Some(at), 0), "a second early is early");

        let next = step(&memory, &shown, at).await.ok();
        assert_eq!(shown.take(), ["call mom: Reminder from Tasktalk"]);
        assert_eq!(next, Some(at + LOOK_AHEAD), "nothing else: looks again after a while");
        assert_eq!(*memory.marked.lock().unwrap_or_else(|e| e.into_inner()), [(1, at)]);

        step(&memory, &shown, at + seconds(5)).await.ok();
        assert_eq!(shown.take(), Vec::<String>::new(), "once");
    }

    #[tokio::test]
    async fn reminders_missed_while_off_are_shown_once_at_start() {
        let memory = Memory::with(&[
            (1, "pay rent", start() - TimeDelta::days(2)),
            (2, "call mom", start() - TimeDelta::hours(1)),
            (3, "later", start() + TimeDelta::hours(1)),
        ]);
        let shown = Shown::default();
        step(&memory, &shown, start()).await.ok();
        let mut seen = shown.take();
        seen.sort();
        assert_eq!(
            seen,
            ["call mom: Reminder from Tasktalk", "pay rent: Reminder from Tasktalk"]
        );
        step(&memory, &shown, start() + seconds(1)).await.ok();
        assert_eq!(shown.take(), Vec::<String>::new(), "shown once");

        let many: Vec<(TaskId, String)> = (10..15).map(|id| (id, format!("task {id}"))).collect();
        for (id, title) in &many {
            memory.set(*id, title, start() - TimeDelta::days(1));
        }
        step(&memory, &shown, start() + seconds(2)).await.ok();
        let seen = shown.take();
        assert_eq!(
            seen.len(),
            1,
            "a pile of missed reminders is one notification: {seen:?}"
        );
        assert!(
            seen[0].starts_with("5 reminders:") && seen[0].contains("task 14"),
            "{seen:?}"
        );
    }

    #[tokio::test]
    async fn a_changed_reminder_is_rescheduled() {
        let memory = Memory::with(&[(1, "call mom", start() + seconds(50))]);
        let shown = Shown::default();
        assert_eq!(step(&memory, &shown, start()).await.ok(), Some(start() + seconds(50)));
        memory.set(1, "call mom", start() + seconds(20));
        assert_eq!(step(&memory, &shown, start()).await.ok(), Some(start() + seconds(20)));
        memory.set(1, "call mom", start() + TimeDelta::hours(3));
        assert_eq!(
            step(&memory, &shown, start()).await.ok(),
            Some(start() + LOOK_AHEAD),
            "far away: looks again within a minute"
        );
        step(&memory, &shown, start() + seconds(20)).await.ok();
        assert_eq!(shown.take(), Vec::<String>::new(), "the old time does not fire");
    }

    /// The real source on the mock runtime: the signed-in person's own
    /// reminders from the database, each once, none when turned off.
    #[test]
    fn the_app_reminds_the_signed_in_person_of_their_own_tasks_unless_turned_off() {
        use tasktalk_core::auth::ClientInfo;
        use tasktalk_core::tasks::NewTask;

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let launch = crate::Launch {
            data_dir: Some(dir.path().to_path_buf()),
            file_secrets: true,
            confirm: crate::Confirmer::answering(|_| true),
            pick: crate::Picker::answering(|_| None),
            shell: false,
        };
        let mut app = crate::builder(tauri::test::mock_builder(), launch)
            .build(tauri::test::mock_context(tauri::test::noop_assets()))
            .unwrap_or_else(|e| panic!("{e}"));
        // One turn of the event loop runs the setup (the database opens).
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        let shell = Shell(app.handle().clone());
        tauri::async_runtime::block_on(async {
            let now = Utc::now();
            assert_eq!(shell.due_by(now).await.ok(), Some(None), "nobody signed in");
            let state = app.state::<AppState>();
            let backend = state.backend().await.unwrap_or_else(|e| panic!("{e}"));
            let (accounts, tasks) = (&backend.services.accounts, &backend.services.tasks);
            let client = ClientInfo::default();
            let ann = accounts
                .sign_up("ann@example.com", "Ann", "correct horse", &client)
                .await;
            let ben = accounts
                .sign_up("ben@example.com", "Ben", "correct horse", &client)
                .await;
            let (ann, ben) = (
                ann.unwrap_or_else(|e| panic!("{e}")),
                ben.unwrap_or_else(|e| panic!("{e}")),
            );
            let reminder = |title: &str, at: DateTime<Utc>| NewTask {
                remind_at: Some(at.into()),
                ..NewTask::titled(title)
            };
            for (user, title, at) in [
                (&ann.user.id, "call mom", now - TimeDelta::minutes(1)),
                (&ann.user.id, "later", now + TimeDelta::hours(2)),
                (&ben.user.id, "ben's own", now - TimeDelta::minutes(1)),
            ] {
                tasks
                    .create(user, reminder(title, at))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            state
                .secrets
                .set(crate::secrets::SESSION_TOKEN, &ann.session.token)
                .unwrap_or_else(|e| panic!("{e}"));

            let shown = Shown::default();
            assert_eq!(step(&shell, &shown, now).await.ok(), Some(now + LOOK_AHEAD));
            assert_eq!(shown.take(), ["call mom: Reminder from Tasktalk"], "Ann's, not Ben's");
            step(&shell, &shown, now + seconds(1)).await.ok();
            assert_eq!(shown.take(), Vec::<String>::new(), "recorded in the database: once");

            tasks
                .create(&ann.user.id, reminder("stretch", now))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            state.settings.write().await.reminders = false;
            step(&shell, &shown, now + seconds(2)).await.ok();
            assert_eq!(shown.take(), Vec::<String>::new(), "turned off");
            state.settings.write().await.reminders = true;
            step(&shell, &shown, now + seconds(3)).await.ok();
            assert_eq!(shown.take(), ["stretch: Reminder from Tasktalk"], "on again");
        });
    }

    /// The loop on tokio's paused clock, which the injected clock follows.
    struct Paused {
        origin: tokio::time::Instant,
    }

    impl Clock for Paused {
        fn now(&self) -> DateTime<Utc> {
            start() + TimeDelta::from_std(self.origin.elapsed()).unwrap_or_default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_loop_sleeps_until_the_reminder_and_wakes_on_a_change() {
        let memory = Memory::with(&[(1, "call mom", start() + seconds(30))]);
        let shown = Shown::default();
        let wake = Arc::new(Notify::new());
        let clock = Paused {
            origin: tokio::time::Instant::now(),
        };
        let task = tokio::spawn(run(memory.clone(), shown.clone(), clock, Arc::clone(&wake)));

        tokio::time::sleep(std::time::Duration::from_secs(29)).await;
        assert_eq!(shown.take(), Vec::<String>::new(), "not before its time");
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        assert_eq!(shown.take(), ["call mom: Reminder from Tasktalk"]);

        // A reminder added for 5 s from now is seen at once, not a minute later.
        memory.set(2, "stretch", start() + seconds(36));
        wake.notify_one();
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        assert_eq!(shown.take(), ["stretch: Reminder from Tasktalk"]);
        task.abort();
    }
}
