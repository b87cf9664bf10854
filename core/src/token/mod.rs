//! JWTs for a session. HS256 with the shared secret by default, which the web
//! version's back end accepts (`jwt.decode(t, secret, algorithms=["HS256"])`);
//! optionally EdDSA with Better Auth's `jwks` keys, published as a JWKS.

mod jwks;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub use jwks::{Jwks, PublicJwk};

use crate::auth::{self, Accounts, SignedIn, User};
use crate::db::{self, Database};
use crate::on_db;
use crate::secret::Secret;
use crate::timestamp::Timestamp;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("No JWT secret is configured: set BETTER_AUTH_SECRET (or pass --secret).")]
    MissingSecret,
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
    /// Clock skew tolerated on `exp`, in seconds.
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
            leeway_secs: 30,
        }
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
        decoding: HashMap<String, DecodingKey>,
        jwks: Jwks,
    },
}

/// Issues and verifies tokens. Verification is synchronous and allocation-light:
/// it runs on every request.
pub struct Tokens {
    config: TokenConfig,
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
    /// HS256 tokens with the configured secret; needs no database.
    pub fn hs256(config: TokenConfig) -> Result<Self> {
        if config.secret.is_empty() {
            return Err(Error::MissingSecret);
        }
        let secret = config.secret.expose().as_bytes();
        let keys = Keys::Hs256 {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        };
        Ok(Self::with_keys(config, keys, Algorithm::HS256))
    }

    /// Tokens in the configured mode. EdDSA loads the keys of Better Auth's
    /// `jwks` table, creating one in the same format when it holds none.
    #[tracing::instrument(name = "token.load", skip_all, fields(mode = ?config.mode))]
    pub async fn load(db: &Database, config: TokenConfig) -> Result<Self> {
        if config.mode == JwtMode::Hs256 {
            return Self::hs256(config);
        }
        if config.secret.is_empty() {
            return Err(Error::MissingSecret);
        }
        let mut rows = key_rows(db).await?;
        rows.retain(jwks::KeyRow::is_ed25519);
        let now = Timestamp::now();
        let usable = rows
            .iter()
            .filter(|r| r.expires_at.is_none_or(|e| e > now))
            .max_by_key(|r| r.created_at)
            .cloned();
        let signer = match usable {
            Some(row) => row,
            None => {
                let row = jwks::generate(config.secret.expose())?;
                insert_key(db, &row).await?;
                tracing::info!(kid = %row.id, "created an Ed25519 signing key");
                rows.push(row.clone());
                row
            }
        };
        let published: Vec<PublicJwk> = rows.iter().map(jwks::KeyRow::public_jwk).collect::<Result<_>>()?;
        let decoding = published
            .iter()
            .filter_map(|k| DecodingKey::from_ed_components(&k.x).ok().map(|d| (k.kid.clone(), d)))
            .collect();
        let keys = Keys::EdDsa {
            kid: signer.id.clone(),
            encoding: signer.encoding_key(config.secret.expose())?,
            decoding,
            jwks: Jwks { keys: published },
        };
        Ok(Self::with_keys(config, keys, Algorithm::EdDSA))
    }

    fn with_keys(config: TokenConfig, keys: Keys, algorithm: Algorithm) -> Self {
        // One algorithm only: a token claiming another (or `none`) is refused.
        let mut validation = Validation::new(algorithm);
        validation.leeway = config.leeway_secs;
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

    /// The claims of a token signed by this configuration's key, unexpired, and
    /// with the configured issuer and audience.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        let key = match &self.keys {
            Keys::Hs256 { decoding, .. } => decoding,
            Keys::EdDsa { decoding, .. } => {
                let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(e.kind()))?;
                let kid = header.kid.ok_or(Error::Invalid("it names no signing key"))?;
                decoding
                    .get(&kid)
                    .ok_or(Error::Invalid("it was signed by an unknown key"))?
            }
        };
        jsonwebtoken::decode::<Claims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| invalid(e.kind()))
    }

    /// Verifies the token of an `Authorization: Bearer <token>` header value.
    pub fn verify_bearer(&self, authorization: Option<&str>) -> Result<Claims> {
        let token = authorization.and_then(bearer_token).ok_or(Error::MissingBearer)?;
        self.verify(token)
    }

    /// The public keys for `/api/auth/jwks`; empty in HS256 mode, whose key is secret.
    pub fn jwks(&self) -> Jwks {
        match &self.keys {
            Keys::Hs256 { .. } => Jwks::default(),
            Keys::EdDsa { jwks, .. } => jwks.clone(),
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

async fn key_rows(db: &Database) -> Result<Vec<jwks::KeyRow>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        r#"select "id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv" from "jwks""#,
    )
    .fetch_all(pool)
    .await)?)
}

async fn insert_key(db: &Database, row: &jwks::KeyRow) -> Result<()> {
    on_db!(db, pool => sqlx::query(
        r#"insert into "jwks" ("id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv")
           values ($1, $2, $3, $4, $5, $6, $7)"#,
    )
    .bind(&row.id)
    .bind(&row.public_key)
    .bind(&row.private_key)
    .bind(row.created_at)
    .bind(row.expires_at)
    .bind(&row.alg)
    .bind(&row.crv)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
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
