//! Throttling of failed sign-ins per email, kept in the database so it holds
//! across restarts and across server instances sharing one database.
//!
//! An attempt is reserved before its password is checked: one transaction
//! counts it as a failure, or refuses it while the email is locked. So
//! concurrent guesses, on one instance or several, queue on the row and at
//! most `free_failures` of them reach the (slow) check. A success clears the
//! count; a failure simply keeps its reservation.

use chrono::TimeDelta;

use crate::db::{Database, Result};
use crate::on_db;
use crate::timestamp::Timestamp;

/// The `free_failures`-th failure within `window` of the previous one locks
/// the email for `first_lock`; each further failure (possible once the lock
/// has expired) locks it twice as long, up to `max_lock`. A failure more than
/// `window` after the previous one starts the count again. So an attacker
/// gets `free_failures` guesses, then one per lock, and cannot lock the real
/// user out for longer than `max_lock` after the attacker's last guess.
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

/// What [`ThrottlePolicy::reserve`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reservation {
    /// Counted as a failure until [`ThrottlePolicy::clear`]: check the password.
    Granted,
    /// Locked: refuse without checking.
    Refused { retry_after_secs: u64 },
}

#[derive(sqlx::FromRow)]
struct Row {
    failures: i32,
    last_failure_at: Timestamp,
    locked_until: Option<Timestamp>,
}

/// The row after a granted reservation.
struct Reserved {
    failures: i32,
    locked_until: Option<Timestamp>,
}

impl ThrottlePolicy {
    /// Reserves one attempt for `email`, counted as a failure from now on.
    pub(crate) async fn reserve(&self, db: &Database, email: &str, now: Timestamp) -> Result<Reservation> {
        self.forget_stale(db, now).await?;
        Ok(on_db!(db, pool => async {
            let mut tx = pool.begin().await?;
            // A write first: it takes the row's lock (PostgreSQL) or the
            // database's write lock (SQLite) before the read, so concurrent
            // reservations wait here and each sees the one before it.
            let row: Row = sqlx::query_as(
                "insert into tasktalk_sign_in_throttle (email, failures, last_failure_at, locked_until)
                 values ($1, 0, $2, null)
                 on conflict (email) do update set email = excluded.email
                 returning failures, last_failure_at, locked_until",
            )
            .bind(email)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let reserved = match self.next(&row, now) {
                Ok(reserved) => reserved,
                Err(refused) => {
                    tx.rollback().await?;
                    return Ok(refused);
                }
            };
            sqlx::query(
                "update tasktalk_sign_in_throttle set failures = $2, last_failure_at = $3, locked_until = $4
                 where email = $1",
            )
            .bind(email)
            .bind(reserved.failures)
            .bind(now)
            .bind(reserved.locked_until)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Reservation::Granted)
        }.await)?)
    }

    /// The row after one more failure at `now`, or the refusal while locked.
    fn next(&self, row: &Row, now: Timestamp) -> Result<Reserved, Reservation> {
        if let Some(until) = row.locked_until.filter(|until| *until > now) {
            let millis = (until - now).num_milliseconds().max(0) as u64;
            return Err(Reservation::Refused {
                retry_after_secs: millis.div_ceil(1000),
            });
        }
        let failures = if now - row.last_failure_at <= self.window {
            row.failures.saturating_add(1)
        } else {
            1
        };
        let locked_until = u32::try_from(failures)
            .ok()
            .filter(|f| *f >= self.free_failures)
            .map(|f| now + self.lock_duration(f - self.free_failures + 1));
        Ok(Reserved { failures, locked_until })
    }

    /// Deletes the rows a next failure would start afresh anyway: each email
    /// ever tried leaves one, and they must not pile up. Its own statement,
    /// outside any reservation, so it never waits while holding a row.
    async fn forget_stale(&self, db: &Database, now: Timestamp) -> Result<()> {
        on_db!(db, pool => sqlx::query(
            "delete from tasktalk_sign_in_throttle
             where last_failure_at < $1 and (locked_until is null or locked_until <= $2)",
        )
        .bind(now - self.window)
        .bind(now)
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
