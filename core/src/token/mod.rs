//! JWTs for a session. HS256 with the shared secret by default, which the web
//! version's back end accepts (`jwt.decode(t, secret, algorithms=["HS256"])`);
//! optionally EdDSA with Better Auth's `jwks` keys, published as a JWKS.

mod ed25519;
mod jwks;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub use jwks::{Jwks, PublicJwk};

use crate::auth::{self, Accounts, SignedIn, User};
use crate::db::{self, Database, Dialect};
use crate::on_db;
use crate::secret::Secret;
use crate::timestamp::Timestamp;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Better Auth refuses a shorter secret; so does every Tasktalk transport.
pub const SECRET_MIN_CHARS: usize = 32;
/// Clock skew tolerated on `exp`, `nbf` and `iat`: small, because it is also
/// how long a token outlives its `exp`.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;
/// The keys are read again for a token naming an unknown key at most this
/// often, so a flood of made-up `kid`s costs the database one query per interval.
const KEY_RELOAD_INTERVAL: Duration = Duration::from_secs(1);

const UNKNOWN_KEY: &str = "it was signed by an unknown key";
/// EdDSA tokens whose signature was checked, kept at most; past this the
/// record starts again empty. About 1 KB each.
const MAX_VERIFIED_TOKENS: usize = 4_096;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("No JWT secret is configured: set BETTER_AUTH_SECRET (or pass --secret).")]
    MissingSecret,
    #[error("BETTER_AUTH_SECRET must be at least {SECRET_MIN_CHARS} characters long, as Better Auth requires.")]
    SecretTooShort,
    #[error("The token is invalid: {0}.")]
    Invalid(&'static str),
    #[error("Sign in first: the request has no `Authorization: Bearer <token>` header.")]
    MissingBearer,
    #[error("The stored signing key cannot be used: {0}.")]
    KeyStore(String),
    #[error("The token could not be signed.")]
    Signing,
    #[error(transparent)]
    Session(#[from] auth::Error),
    #[error(transparent)]
    Database(#[from] db::Error),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingSecret => "MISSING_SECRET",
            Error::SecretTooShort => "SECRET_TOO_SHORT",
            Error::Invalid(_) => "INVALID_TOKEN",
            Error::MissingBearer => "UNAUTHORIZED",
            Error::KeyStore(_) | Error::Signing => "INTERNAL",
            Error::Session(e) => e.code(),
            Error::Database(_) => "DATABASE",
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

/// Which algorithm new tokens are signed with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum JwtMode {
    #[default]
    Hs256,
    EdDsa,
}

impl FromStr for JwtMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "hs256" => Ok(JwtMode::Hs256),
            "eddsa" => Ok(JwtMode::EdDsa),
            other => Err(format!("unknown JWT mode {other:?}: use hs256 or eddsa")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct TokenConfig {
    /// `BETTER_AUTH_SECRET`: the HS256 key, and what EdDSA private keys are encrypted with.
    pub secret: Secret,
    pub mode: JwtMode,
    pub ttl: TimeDelta,
    /// `iss` to write and require; none by default.
    pub issuer: Option<String>,
    /// `aud` to write and require; none by default, because python-jose and
    /// PyJWT reject a token with an audience they were not told to expect.
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    pub leeway_secs: u64,
}

impl TokenConfig {
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            mode: JwtMode::Hs256,
            ttl: TimeDelta::minutes(15),
            issuer: None,
            audience: None,
            leeway_secs: DEFAULT_LEEWAY_SECS,
        }
    }

    /// Refuses a missing secret, or one shorter than Better Auth accepts.
    pub fn check_secret(&self) -> Result<()> {
        if self.secret.is_empty() {
            return Err(Error::MissingSecret);
        }
        if self.secret.expose().chars().count() < SECRET_MIN_CHARS {
            return Err(Error::SecretTooShort);
        }
        Ok(())
    }
}

/// The claims Tasktalk writes; verification also accepts tokens with more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
}

/// The claims of a genuine token (signature, dates, issuer and audience
/// checked) whose account has not been looked up yet. [`Tokens::confirm`]
/// looks it up. A caller whose own first query finds rows that only an
/// existing account has may take that as the answer instead, and save the
/// round trip: [`Unconfirmed::confirmed_by_query`].
#[derive(Debug)]
pub struct Unconfirmed(Claims);

impl Unconfirmed {
    /// The account to look for.
    pub fn user_id(&self) -> &str {
        &self.0.sub
    }

    /// For a caller whose query, in one statement, found this account's row
    /// or rows that exist only while it does.
    pub fn confirmed_by_query(self) -> Claims {
        self.0
    }
}

/// A signed token and when it stops being accepted.
#[derive(Clone, Serialize)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: Timestamp,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

enum Keys {
    Hs256 {
        encoding: EncodingKey,
        decoding: DecodingKey,
    },
    EdDsa {
        kid: String,
        encoding: EncodingKey,
        /// Replaced when the table is read again for an unknown `kid`.
        verifying: RwLock<PublicKeys>,
        /// When the table was last read again; held while reading, so
        /// requests that need the same new key wait for one read.
        reloaded: tokio::sync::Mutex<Option<Instant>>,
        /// Tokens whose signature was checked: a client sends the same
        /// token with every request of its lifetime, and the Ed25519 check
        /// is most of a verification. Only tokens that verified get here.
        verified: Mutex<HashMap<String, Verified>>,
    },
}

/// A token that verified: its claims and the key that signed it.
struct Verified {
    kid: String,
    claims: Claims,
}

/// Every Ed25519 key of the table, to verify with and to publish.
struct PublicKeys {
    decoding: HashMap<String, DecodingKey>,
    jwks: Jwks,
}

impl PublicKeys {
    fn from_rows(rows: &[jwks::KeyRow]) -> Result<Self> {
        let keys: Vec<PublicJwk> = rows.iter().map(jwks::KeyRow::public_jwk).collect::<Result<_>>()?;
        let decoding = keys
            .iter()
            .filter_map(|k| DecodingKey::from_ed_components(&k.x).ok().map(|d| (k.kid.clone(), d)))
            .collect();
        Ok(Self {
            decoding,
            jwks: Jwks { keys },
        })
    }
}

/// Issues and verifies tokens. Checking a signature is synchronous and
/// allocation-light; [`Tokens::authenticate`] adds one indexed lookup.
pub struct Tokens {
    config: TokenConfig,
    db: Database,
    keys: Keys,
    validation: Validation,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Tokens in the configured mode, checking accounts in `db`. EdDSA loads
    /// the keys of Better Auth's `jwks` table, creating one in the same format
    /// when it holds none usable.
    #[tracing::instrument(name = "token.load", skip_all, fields(mode = ?config.mode))]
    pub async fn load(db: &Database, config: TokenConfig) -> Result<Self> {
        config.check_secret()?;
        ed25519::install();
        let keys = match config.mode {
            JwtMode::Hs256 => {
                let secret = config.secret.expose().as_bytes();
                Keys::Hs256 {
                    encoding: EncodingKey::from_secret(secret),
                    decoding: DecodingKey::from_secret(secret),
                }
            }
            JwtMode::EdDsa => ed25519_keys(db, config.secret.expose()).await?,
        };
        Ok(Self::with_keys(db.clone(), config, keys))
    }

    fn with_keys(db: Database, config: TokenConfig, keys: Keys) -> Self {
        let algorithm = match keys {
            Keys::Hs256 { .. } => Algorithm::HS256,
            Keys::EdDsa { .. } => Algorithm::EdDSA,
        };
        // One algorithm only: a token claiming another (or `none`) is refused.
        let mut validation = Validation::new(algorithm);
        validation.leeway = config.leeway_secs;
        validation.validate_nbf = true;
        // A configured issuer or audience must be present, not only match when present.
        let mut required = vec!["exp", "sub"];
        match &config.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &config.issuer {
            validation.set_issuer(&[iss]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        Self {
            config,
            db,
            keys,
            validation,
        }
    }

    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    /// A token for `user`, valid for the configured time.
    pub fn issue(&self, user: &User) -> Result<IssuedToken> {
        let now = Timestamp::now();
        let expires_at = now + self.config.ttl;
        let claims = Claims {
            sub: user.id.clone(),
            email: Some(user.email.clone()),
            name: Some(user.name.clone()),
            iat: now.unix_seconds(),
            exp: expires_at.unix_seconds(),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone().map(serde_json::Value::String),
        };
        let (header, key) = match &self.keys {
            Keys::Hs256 { encoding, .. } => (Header::new(Algorithm::HS256), encoding),
            Keys::EdDsa { kid, encoding, .. } => {
                let mut header = Header::new(Algorithm::EdDSA);
                header.kid = Some(kid.clone());
                (header, encoding)
            }
        };
        let token = jsonwebtoken::encode(&header, &claims, key).map_err(|_| Error::Signing)?;
        Ok(IssuedToken { token, expires_at })
    }

    /// The claims of a token signed by a key loaded so far: unexpired, valid
    /// already (`nbf`), not issued in the future (`iat`), with the configured
    /// issuer and audience. Does not look at the database.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        self.verify_with_loaded_keys(token)?.ok_or(Error::Invalid(UNKNOWN_KEY))
    }

    /// `None` when the token names a key this instance has not loaded.
    fn verify_with_loaded_keys(&self, token: &str) -> Result<Option<Claims>> {
        let decoded = match &self.keys {
            Keys::Hs256 { decoding, .. } => jsonwebtoken::decode::<Claims>(token, decoding, &self.validation),
            Keys::EdDsa {
                verifying, verified, ..
            } => {
                if let Some(claims) = self.verified_before(token, verifying, verified)? {
                    return Ok(Some(claims));
                }
                let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(e.kind()))?;
                let kid = header.kid.ok_or(Error::Invalid("it names no signing key"))?;
                let decoded = {
                    let keys = verifying.read().unwrap_or_else(PoisonError::into_inner);
                    let Some(key) = keys.decoding.get(&kid) else {
                        return Ok(None);
                    };
                    jsonwebtoken::decode::<Claims>(token, key, &self.validation)
                };
                // The key lock is released first: `verified_before` takes the two the other way round.
                if let Ok(data) = &decoded {
                    self.check_issued_at(&data.claims)?;
                    let mut verified = verified.lock().unwrap_or_else(PoisonError::into_inner);
                    if verified.len() >= MAX_VERIFIED_TOKENS {
                        verified.clear();
                    }
                    let claims = data.claims.clone();
                    verified.insert(token.to_owned(), Verified { kid, claims });
                }
                decoded
            }
        };
        let claims = decoded.map_err(|e| invalid(e.kind()))?.claims;
        self.check_issued_at(&claims)?;
        Ok(Some(claims))
    }

    fn leeway(&self) -> i64 {
        i64::try_from(self.config.leeway_secs).unwrap_or(i64::MAX)
    }

    /// jsonwebtoken checks `exp` and `nbf` but not `iat`: a token dated
    /// ahead of this clock by more than the skew was made by a wrong clock
    /// or to outlive its apparent lifetime.
    fn check_issued_at(&self, claims: &Claims) -> Result<()> {
        if claims.iat > Timestamp::now().unix_seconds().saturating_add(self.leeway()) {
            return Err(Error::Invalid("it was issued in the future"));
        }
        Ok(())
    }

    /// The claims of `token` if its signature was checked before and the key
    /// that signed it is still loaded. What can change since is only that it
    /// expired: `nbf` and `iat` passed then and pass later.
    fn verified_before(
        &self,
        token: &str,
        verifying: &RwLock<PublicKeys>,
        verified: &Mutex<HashMap<String, Verified>>,
    ) -> Result<Option<Claims>> {
        let verified = verified.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(seen) = verified.get(token) else {
            return Ok(None);
        };
        if !verifying
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .decoding
            .contains_key(&seen.kid)
        {
            return Ok(None);
        }
        if seen.claims.exp < Timestamp::now().unix_seconds().saturating_sub(self.leeway()) {
            return Err(invalid(&ErrorKind::ExpiredSignature));
        }
        Ok(Some(seen.claims.clone()))
    }

    /// [`Tokens::verify`], but a token naming a key created after this
    /// instance started (another instance's, or Better Auth's rotation)
    /// reads the key table again first.
    pub async fn verify_signature(&self, token: &str) -> Result<Unconfirmed> {
        let claims = match self.verify_with_loaded_keys(token)? {
            Some(claims) => claims,
            None => {
                self.reload_keys().await?;
                self.verify(token)?
            }
        };
        Ok(Unconfirmed(claims))
    }

    /// The account must still exist: a deleted account's token is refused
    /// at once, not when it expires.
    pub async fn confirm(&self, unconfirmed: Unconfirmed) -> Result<Claims> {
        if !account_exists(&self.db, unconfirmed.user_id()).await? {
            return Err(Error::Invalid("its account no longer exists"));
        }
        Ok(unconfirmed.0)
    }

    /// [`Tokens::verify_signature`], then [`Tokens::confirm`].
    pub async fn verify_account(&self, token: &str) -> Result<Claims> {
        self.confirm(self.verify_signature(token).await?).await
    }

    /// The verified but unconfirmed claims of an `Authorization: Bearer
    /// <token>` header value.
    pub async fn bearer(&self, authorization: Option<&str>) -> Result<Unconfirmed> {
        let token = authorization.and_then(bearer_token).ok_or(Error::MissingBearer)?;
        self.verify_signature(token).await
    }

    /// The claims of an `Authorization: Bearer <token>` header value: how
    /// every transport turns a bearer into a user.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Claims> {
        self.confirm(self.bearer(authorization).await?).await
    }

    /// The user id of an `Authorization: Bearer` holding a JWT or a session
    /// token, for clients configured once by hand (MCP): a session outlives a
    /// JWT's minutes. A JWT has dots; a session token is alphanumeric.
    pub async fn authenticate_user(&self, accounts: &Accounts, authorization: Option<&str>) -> Result<String> {
        let token = authorization.and_then(bearer_token).ok_or(Error::MissingBearer)?;
        if token.contains('.') {
            return Ok(self.verify_account(token).await?.sub);
        }
        Ok(accounts.session(token).await?.user.id)
    }

    /// Reads the table's keys again, unless that happened less than
    /// [`KEY_RELOAD_INTERVAL`] ago. The signing key stays the same.
    async fn reload_keys(&self) -> Result<()> {
        let Keys::EdDsa {
            verifying, reloaded, ..
        } = &self.keys
        else {
            return Ok(());
        };
        let mut last = reloaded.lock().await;
        if last.is_some_and(|at| at.elapsed() < KEY_RELOAD_INTERVAL) {
            return Ok(());
        }
        *last = Some(Instant::now());
        let fresh = PublicKeys::from_rows(&ed25519_rows(&self.db).await?)?;
        tracing::info!(
            keys = fresh.jwks.keys.len(),
            "signing keys reloaded for an unknown key id"
        );
        *verifying.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        Ok(())
    }

    /// The public keys for `/api/auth/jwks`; empty in HS256 mode, whose key is secret.
    pub fn jwks(&self) -> Jwks {
        match &self.keys {
            Keys::Hs256 { .. } => Jwks::default(),
            Keys::EdDsa { verifying, .. } => verifying.read().unwrap_or_else(PoisonError::into_inner).jwks.clone(),
        }
    }

    /// Resolves (and slides) the session, then issues a fresh token for its
    /// user: how a client refreshes a token that is about to expire.
    #[tracing::instrument(name = "token.issue_for_session", skip_all)]
    pub async fn issue_for_session(&self, accounts: &Accounts, session_token: &str) -> Result<(SignedIn, IssuedToken)> {
        let signed_in = accounts.session(session_token).await?;
        let issued = self.issue(&signed_in.user)?;
        Ok((signed_in, issued))
    }
}

/// The token of an `Authorization` header value (`Bearer <token>`, any case).
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A reason that says what is wrong without echoing the token.
fn invalid(kind: &ErrorKind) -> Error {
    Error::Invalid(match kind {
        ErrorKind::ExpiredSignature => "it has expired",
        ErrorKind::InvalidSignature => "its signature does not match",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => "it uses an algorithm that is not accepted",
        ErrorKind::InvalidIssuer => "it was issued by someone else",
        ErrorKind::InvalidAudience => "it is meant for another audience",
        ErrorKind::MissingRequiredClaim(_) => "it lacks a required claim",
        ErrorKind::ImmatureSignature => "it is not valid yet",
        _ => "it is malformed",
    })
}

/// One primary-key lookup: cheap enough for every request.
async fn account_exists(db: &Database, user_id: &str) -> Result<bool> {
    Ok(
        on_db!(db, pool => sqlx::query(r#"select 1 from "user" where "id" = $1"#)
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map(|row| row.is_some()))?,
    )
}

const SELECT_KEYS: &str =
    r#"select "id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv" from "jwks""#;

async fn ed25519_rows(db: &Database) -> Result<Vec<jwks::KeyRow>> {
    let mut rows: Vec<jwks::KeyRow> = on_db!(db, pool => sqlx::query_as(SELECT_KEYS).fetch_all(pool).await)?;
    rows.retain(jwks::KeyRow::is_ed25519);
    Ok(rows)
}

/// The key new tokens are signed with: the newest unexpired one, its id
/// breaking a tie, so that every instance reading the table picks the same.
fn signing_row(rows: &[jwks::KeyRow]) -> Option<&jwks::KeyRow> {
    let now = Timestamp::now();
    rows.iter()
        .filter(|r| r.expires_at.is_none_or(|e| e > now))
        .max_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)))
}

/// The table's keys, with a signing key created first if it has none usable.
async fn ed25519_keys(db: &Database, secret: &str) -> Result<Keys> {
    let mut rows = ed25519_rows(db).await?;
    if signing_row(&rows).is_none() {
        let candidate = jwks::generate(secret)?;
        if insert_unless_usable_key(db, &candidate).await? {
            tracing::info!(kid = %candidate.id, "created an Ed25519 signing key");
        }
        rows = ed25519_rows(db).await?;
    }
    let signer = signing_row(&rows).ok_or_else(|| Error::KeyStore("the jwks table holds no usable key".into()))?;
    Ok(Keys::EdDsa {
        kid: signer.id.clone(),
        encoding: signer.encoding_key(secret)?,
        verifying: RwLock::new(PublicKeys::from_rows(&rows)?),
        reloaded: tokio::sync::Mutex::new(None),
        verified: Mutex::new(HashMap::new()),
    })
}

/// Inserts `candidate` unless the table holds a usable key by now, under a
/// lock that makes instances starting together on an empty table take turns
/// (PostgreSQL: an advisory lock named by the table's oid, held to the end of
/// the transaction; SQLite: `BEGIN IMMEDIATE`, its write lock). The first
/// inserts; the others then see its key and insert nothing.
async fn insert_unless_usable_key(db: &Database, candidate: &jwks::KeyRow) -> Result<bool> {
    let (begin, lock) = match db.dialect() {
        Dialect::Sqlite => ("begin immediate", None),
        Dialect::Postgres => (
            "begin",
            Some(r#"select pg_advisory_xact_lock('"jwks"'::regclass::oid::bigint)"#),
        ),
    };
    Ok(on_db!(db, pool => async {
        let mut tx = pool.begin_with(begin).await?;
        if let Some(lock) = lock {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        let mut rows: Vec<jwks::KeyRow> = sqlx::query_as(SELECT_KEYS).fetch_all(&mut *tx).await?;
        rows.retain(jwks::KeyRow::is_ed25519);
        let create = signing_row(&rows).is_none();
        if create {
            sqlx::query(
                r#"insert into "jwks" ("id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv")
                   values ($1, $2, $3, $4, $5, $6, $7)"#,
            )
            .bind(&candidate.id)
            .bind(&candidate.public_key)
            .bind(&candidate.private_key)
            .bind(candidate.created_at)
            .bind(candidate.expires_at)
            .bind(&candidate.alg)
            .bind(&candidate.crv)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(create)
    }
    .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_header_value() {
        assert_eq!(bearer_token("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer_token("  bearer   abc  "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
