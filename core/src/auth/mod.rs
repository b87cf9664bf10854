//! Accounts in Better Auth's schema: sign up, sign in, sessions, sign out and
//! account deletion. A user created by a Better Auth web deployment signs in
//! here, and the reverse.

mod password;
mod throttle;

use std::sync::Arc;

use chrono::TimeDelta;
use serde::Serialize;
use tokio::sync::Semaphore;

pub use password::{PasswordScheme, hash as hash_password, verify as verify_password};
use throttle::Reservation;
pub use throttle::ThrottlePolicy;

use crate::db::{self, Database, is_unique_violation};
use crate::on_db;
use crate::random::alphanumeric_id;
use crate::timestamp::Timestamp;

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
const EMAIL_MAX_CHARS: usize = 254;
/// What a session row keeps of the client's own description of itself.
const USER_AGENT_MAX_CHARS: usize = 512;
/// Longer than any IPv6 address with a zone.
const IP_ADDRESS_MAX_CHARS: usize = 64;
/// Better Auth's provider id for email + password accounts.
const CREDENTIAL_PROVIDER: &str = "credential";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Enter a valid email address.")]
    InvalidEmail,
    #[error("Enter a name of 1 to {NAME_MAX_CHARS} characters.")]
    InvalidName,
    #[error("The password must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters long.")]
    InvalidPassword,
    #[error("An account with this email already exists. Sign in instead.")]
    EmailTaken,
    #[error("Invalid email or password.")]
    InvalidCredentials,
    #[error("Too many failed sign-in attempts. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("Your session has expired or was signed out. Please sign in again.")]
    SessionInvalid,
    #[error("There is no account with this email.")]
    UserNotFound,
    #[error(transparent)]
    Hashing(#[from] password::HashError),
    #[error(transparent)]
    Database(#[from] db::Error),
}

impl Error {
    /// A stable code a client can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidEmail => "INVALID_EMAIL",
            Error::InvalidName => "INVALID_NAME",
            Error::InvalidPassword => "INVALID_PASSWORD",
            Error::EmailTaken => "USER_ALREADY_EXISTS",
            Error::InvalidCredentials => "INVALID_EMAIL_OR_PASSWORD",
            Error::Throttled { .. } => "TOO_MANY_ATTEMPTS",
            Error::SessionInvalid => "SESSION_INVALID",
            Error::UserNotFound => "USER_NOT_FOUND",
            Error::Hashing(_) => "INTERNAL",
            Error::Database(_) => "DATABASE",
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

macro_rules! user_columns {
    () => {
        r#""id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt""#
    };
}

/// The `user` columns as read: the web version's own schema lets `name` be
/// NULL (Better Auth's does not), which reads as an empty name.
macro_rules! select_user {
    () => {
        r#"select "id", coalesce("name", '') as "name", "email", "emailVerified", "image", "createdAt", "updatedAt" from "user""#
    };
}

macro_rules! session_columns {
    () => {
        r#""id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent""#
    };
}

/// A row of Better Auth's `user` table; serialises as Better Auth does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[sqlx(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    pub image: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A row of Better Auth's `session` table. `token` is the bearer credential.
#[derive(Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
#[sqlx(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("token", &"***")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A user with a live session, as sign-up, sign-in and session lookups return.
#[derive(Clone, Debug, Serialize)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
}

/// What a client tells about itself when it opens a session; the session row
/// keeps at most 64 characters of the address and 512 of the user agent.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    pub password_scheme: PasswordScheme,
    /// How long a session lives after it is created or refreshed.
    pub session_ttl: TimeDelta,
    /// A session used this long after its last refresh is extended again.
    pub session_update_age: TimeDelta,
    pub throttle: ThrottlePolicy,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            password_scheme: PasswordScheme::Argon2,
            session_ttl: TimeDelta::days(7),
            session_update_age: TimeDelta::days(1),
            throttle: ThrottlePolicy::default(),
        }
    }
}

/// The account service over one database.
#[derive(Clone, Debug)]
pub struct Accounts {
    db: Database,
    config: AuthConfig,
    /// One password hash per core at a time: each takes ~46 MiB and tens of
    /// milliseconds, so a burst of sign-ins queues instead of exhausting memory.
    hashing: Arc<Semaphore>,
}

/// Trimmed and lower-cased, or [`Error::InvalidEmail`].
pub fn normalise_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.chars().count() <= EMAIL_MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid { Ok(email) } else { Err(Error::InvalidEmail) }
}

fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if (1..=NAME_MAX_CHARS).contains(&chars) && !name.chars().any(char::is_control) {
        Ok(name.to_owned())
    } else {
        Err(Error::InvalidName)
    }
}

/// At most `max_chars` characters of `text`, cut on a character boundary.
fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

fn validate_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(Error::InvalidPassword)
    }
}

impl Accounts {
    pub fn new(db: Database, config: AuthConfig) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            db,
            config,
            hashing: Arc::new(Semaphore::new(cores)),
        }
    }

    /// Runs password hashing off the async workers, within the concurrency bound.
    async fn hash_work<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        // The semaphore is never closed.
        let _permit = self.hashing.acquire().await;
        match tokio::task::spawn_blocking(work).await {
            Ok(value) => value,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Creates a user with an email + password account and opens a session.
    #[tracing::instrument(name = "auth.sign_up", skip_all)]
    pub async fn sign_up(&self, email: &str, name: &str, password: &str, client: &ClientInfo) -> Result<SignedIn> {
        let user = self.create_user(email, name, password).await?;
        let session = self.open_session(&user.id, client).await?;
        Ok(SignedIn { user, session })
    }

    /// Creates a user with an email + password account, without a session.
    #[tracing::instrument(name = "auth.create_user", skip_all)]
    pub async fn create_user(&self, email: &str, name: &str, password: &str) -> Result<User> {
        let email = normalise_email(email)?;
        let name = validate_name(name)?;
        validate_password(password)?;
        let scheme = self.config.password_scheme;
        let password = password.to_owned();
        let hash = self.hash_work(move || password::hash(&password, scheme)).await?;

        let now = Timestamp::now();
        let user = User {
            id: alphanumeric_id(),
            name,
            email,
            email_verified: false,
            image: None,
            created_at: now,
            updated_at: now,
        };
        let account_id = alphanumeric_id();
        let inserted: Result<(), sqlx::Error> = on_db!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(concat!(r#"insert into "user" ("#, user_columns!(), ") values ($1, $2, $3, $4, $5, $6, $7)"))
                .bind(&user.id)
                .bind(&user.name)
                .bind(&user.email)
                .bind(user.email_verified)
                .bind(&user.image)
                .bind(user.created_at)
                .bind(user.updated_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                r#"insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt")
                   values ($1, $2, $3, $4, $5, $6, $7)"#,
            )
            .bind(&account_id)
            .bind(&user.id)
            .bind(CREDENTIAL_PROVIDER)
            .bind(&user.id)
            .bind(&hash)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }.await);
        match inserted {
            Ok(()) => {
                tracing::info!(user_id = %user.id, "account created");
                Ok(user)
            }
            Err(err) if is_unique_violation(&err) => Err(Error::EmailTaken),
            Err(err) => Err(err.into()),
        }
    }

    /// Checks the password and opens a session. Repeated failures for one email
    /// are throttled; unknown emails cost the same time as known ones.
    #[tracing::instrument(name = "auth.sign_in", skip_all)]
    pub async fn sign_in(&self, email: &str, password: &str, client: &ClientInfo) -> Result<SignedIn> {
        let email = normalise_email(email).map_err(|_| Error::InvalidCredentials)?;
        let throttle = &self.config.throttle;
        // Counted as a failure before the check, so concurrent guesses cannot
        // all pass an email's lock while the first ones are being checked.
        if let Reservation::Refused { retry_after_secs } = throttle.reserve(&self.db, &email, Timestamp::now()).await? {
            tracing::warn!("sign-in refused: too many failed attempts");
            return Err(Error::Throttled { retry_after_secs });
        }

        let found = self.credential(&email).await?;
        let password = password.to_owned();
        let (user, matched) = match found {
            Some((user, Some(hash))) => (
                Some(user),
                self.hash_work(move || password::verify(&password, &hash)).await,
            ),
            _ => {
                self.hash_work(move || password::verify_against_dummy(&password)).await;
                (None, false)
            }
        };
        let Some(user) = user.filter(|_| matched) else {
            tracing::info!("sign-in failed: invalid email or password");
            return Err(Error::InvalidCredentials);
        };
        throttle.clear(&self.db, &email).await?;
        let session = self.open_session(&user.id, client).await?;
        tracing::info!(user_id = %user.id, "signed in");
        Ok(SignedIn { user, session })
    }

    /// The user and their credential hash, if they have an email + password account.
    async fn credential(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        let user = self.find_user_by_email(email).await?;
        let Some(user) = user else { return Ok(None) };
        let hash: Option<Option<String>> = on_db!(&self.db, pool => sqlx::query_scalar(
            r#"select "password" from "account" where "userId" = $1 and "providerId" = $2 limit 1"#,
        )
        .bind(&user.id)
        .bind(CREDENTIAL_PROVIDER)
        .fetch_optional(pool)
        .await)?;
        Ok(Some((user, hash.flatten())))
    }

    async fn open_session(&self, user_id: &str, client: &ClientInfo) -> Result<Session> {
        let now = Timestamp::now();
        let session = Session {
            id: alphanumeric_id(),
            token: alphanumeric_id(),
            user_id: user_id.to_owned(),
            expires_at: now + self.config.session_ttl,
            created_at: now,
            updated_at: now,
            ip_address: client
                .ip_address
                .as_deref()
                .map(|ip| truncate(ip, IP_ADDRESS_MAX_CHARS)),
            user_agent: client
                .user_agent
                .as_deref()
                .map(|agent| truncate(agent, USER_AGENT_MAX_CHARS)),
        };
        on_db!(&self.db, pool => sqlx::query(concat!(r#"insert into "session" ("#, session_columns!(), ") values ($1, $2, $3, $4, $5, $6, $7, $8)"))
            .bind(&session.id)
            .bind(&session.token)
            .bind(&session.user_id)
            .bind(session.expires_at)
            .bind(session.created_at)
            .bind(session.updated_at)
            .bind(&session.ip_address)
            .bind(&session.user_agent)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(session)
    }

    /// Resolves a session token to its user. An expired session is removed; one
    /// used more than `session_update_age` after its last refresh slides forward.
    #[tracing::instrument(name = "auth.session", skip_all)]
    pub async fn session(&self, token: &str) -> Result<SignedIn> {
        let session: Option<Session> = on_db!(&self.db, pool => sqlx::query_as(concat!("select ", session_columns!(), r#" from "session" where "token" = $1"#))
            .bind(token)
            .fetch_optional(pool)
            .await)?;
        let Some(mut session) = session else {
            return Err(Error::SessionInvalid);
        };
        let now = Timestamp::now();
        if session.expires_at <= now {
            self.delete_session(&session.token).await?;
            return Err(Error::SessionInvalid);
        }
        // Better Auth's rule: refresh once expiresAt - ttl + updateAge has passed.
        if session.expires_at - self.config.session_ttl + self.config.session_update_age <= now {
            session.expires_at = now + self.config.session_ttl;
            session.updated_at = now;
            on_db!(&self.db, pool => sqlx::query(r#"update "session" set "expiresAt" = $1, "updatedAt" = $2 where "id" = $3"#)
                .bind(session.expires_at)
                .bind(session.updated_at)
                .bind(&session.id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()))?;
        }
        let user = self.user(&session.user_id).await?.ok_or(Error::SessionInvalid)?;
        Ok(SignedIn { user, session })
    }

    /// Ends the session. Signing out twice, or with an unknown token, is not an error.
    #[tracing::instrument(name = "auth.sign_out", skip_all)]
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        self.delete_session(token).await
    }

    async fn delete_session(&self, token: &str) -> Result<()> {
        on_db!(&self.db, pool => sqlx::query(r#"delete from "session" where "token" = $1"#)
            .bind(token)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn user(&self, user_id: &str) -> Result<Option<User>> {
        Ok(
            on_db!(&self.db, pool => sqlx::query_as(concat!(select_user!(), r#" where "id" = $1"#))
            .bind(user_id)
            .fetch_optional(pool)
            .await)?,
        )
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>> {
        let email = normalise_email(email)?;
        Ok(
            on_db!(&self.db, pool => sqlx::query_as(concat!(select_user!(), r#" where "email" = $1"#))
            .bind(&email)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// The user with this email, or [`Error::UserNotFound`].
    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        self.find_user_by_email(email).await?.ok_or(Error::UserNotFound)
    }

    /// Every user, oldest first.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        Ok(
            on_db!(&self.db, pool => sqlx::query_as(concat!(select_user!(), r#" order by "createdAt", "id""#))
            .fetch_all(pool)
            .await)?,
        )
    }

    /// Deletes the user and everything that is theirs: sessions, accounts,
    /// tasks, conversations and messages, in one transaction.
    #[tracing::instrument(name = "auth.delete_user", skip_all, fields(user_id = %user_id))]
    pub async fn delete_user(&self, user_id: &str) -> Result<()> {
        // Explicit deletes, not only foreign keys: a web-version table adopted
        // as it was may have been created without them.
        let deleted: u64 = on_db!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from messages where user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("delete from conversations where user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("delete from tasks_phaseiii where user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query(r#"delete from "session" where "userId" = $1"#).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(r#"delete from "account" where "userId" = $1"#).bind(user_id).execute(&mut *tx).await?;
            let done = sqlx::query(r#"delete from "user" where "id" = $1"#).bind(user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(done.rows_affected())
        }.await)?;
        if deleted == 0 {
            return Err(Error::UserNotFound);
        }
        tracing::info!("account deleted");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_validated() {
        assert_eq!(
            normalise_email("  Alice@Example.COM ").ok().as_deref(),
            Some("alice@example.com")
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
            "a@b..com",
            "a@b.com.",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(normalise_email(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_must_be_8_to_128_characters() {
        assert!(validate_password("1234567").is_err());
        assert!(validate_password("12345678").is_ok());
        assert!(validate_password(&"é".repeat(128)).is_ok());
        assert!(validate_password(&"é".repeat(129)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Bob ").ok().as_deref(), Some("Bob"));
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"n".repeat(101)).is_err());
        assert!(validate_name("a\u{0}b").is_err());
    }
}
