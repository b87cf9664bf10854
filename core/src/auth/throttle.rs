//! Throttling of failed sign-ins per email, kept in the database so it holds
//! across restarts and across server instances sharing one database.

use chrono::TimeDelta;

use crate::db::{Database, Result};
use crate::on_db;
use crate::timestamp::Timestamp;

/// After `free_failures` failures within `window`, each further failure locks
/// the email for `first_lock`, doubling up to `max_lock`.
#[derive(Clone, Debug)]
pub struct ThrottlePolicy {
    pub free_failures: u32,
    pub window: TimeDelta,
    pub first_lock: TimeDelta,
    pub max_lock: TimeDelta,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            window: TimeDelta::minutes(15),
            first_lock: TimeDelta::seconds(30),
            max_lock: TimeDelta::minutes(15),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    failures: i32,
    last_failure_at: Timestamp,
    locked_until: Option<Timestamp>,
}

impl ThrottlePolicy {
    /// Seconds until `email` may try again, if it is locked now.
    pub(crate) async fn locked_for(&self, db: &Database, email: &str, now: Timestamp) -> Result<Option<u64>> {
        let row = fetch(db, email).await?;
        Ok(row
            .and_then(|r| r.locked_until)
            .filter(|until| *until > now)
            .map(|until| {
                let millis = (until - now).num_milliseconds().max(0) as u64;
                millis.div_ceil(1000)
            }))
    }

    pub(crate) async fn record_failure(&self, db: &Database, email: &str, now: Timestamp) -> Result<()> {
        let previous = fetch(db, email).await?;
        let failures = match previous {
            Some(r) if now - r.last_failure_at <= self.window => r.failures.saturating_add(1),
            _ => 1,
        };
        let locked_until = u32::try_from(failures)
            .ok()
            .filter(|f| *f > self.free_failures)
            .map(|f| now + self.lock_duration(f - self.free_failures));
        on_db!(db, pool => sqlx::query(
            "insert into tasktalk_sign_in_throttle (email, failures, last_failure_at, locked_until)
             values ($1, $2, $3, $4)
             on conflict (email) do update set failures = excluded.failures,
                 last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
        )
        .bind(email)
        .bind(failures)
        .bind(now)
        .bind(locked_until)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub(crate) async fn clear(&self, db: &Database, email: &str) -> Result<()> {
        on_db!(db, pool => sqlx::query("delete from tasktalk_sign_in_throttle where email = $1")
            .bind(email)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// `first_lock` for the first failure past the free ones, doubling after.
    fn lock_duration(&self, excess: u32) -> TimeDelta {
        let factor = 1i32.checked_shl(excess.saturating_sub(1).min(20)).unwrap_or(i32::MAX);
        self.first_lock
            .checked_mul(factor)
            .map_or(self.max_lock, |d| d.min(self.max_lock))
    }
}

async fn fetch(db: &Database, email: &str) -> Result<Option<Row>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Row>(
        "select failures, last_failure_at, locked_until from tasktalk_sign_in_throttle where email = $1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_doubles_from_the_first_lock_up_to_the_maximum() {
        let p = ThrottlePolicy::default();
        assert_eq!(p.lock_duration(1), TimeDelta::seconds(30));
        assert_eq!(p.lock_duration(2), TimeDelta::seconds(60));
        assert_eq!(p.lock_duration(3), TimeDelta::seconds(120));
        assert_eq!(p.lock_duration(10), TimeDelta::minutes(15));
        assert_eq!(p.lock_duration(u32::MAX), TimeDelta::minutes(15));
    }
}
