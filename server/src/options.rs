//! Options every subcommand shares, and the core configuration they build.

use chrono::TimeDelta;
use clap::{Args, ValueEnum};
use tasktalk_core::Secret;
use tasktalk_core::agent::{ProviderKind, ProviderSettings};
use tasktalk_core::auth::{AuthConfig, PasswordScheme};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::db::{Database, Location};
use tasktalk_core::token::{JwtMode, TokenConfig, Tokens};

use crate::failure::Failure;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HashArg {
    Argon2,
    Scrypt,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum JwtModeArg {
    Hs256,
    Eddsa,
}

#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// A postgres:// URL, a sqlite: URL or a SQLite file path (created if
    /// missing). Default: tasktalk.db in the app's data directory.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// The JWT secret shared with the web version (Better Auth's secret):
    /// at least 32 characters.
    #[arg(long, global = true, env = "BETTER_AUTH_SECRET", hide_env_values = true)]
    pub secret: Option<String>,

    /// The format of new password hashes: argon2 (argon2id), or scrypt for a
    /// database shared with a stock Better Auth.
    #[arg(
        long,
        global = true,
        env = "TASKTALK_PASSWORD_HASH",
        value_enum,
        default_value = "argon2"
    )]
    pub password_hash: HashArg,

    /// hs256 (signed with the secret, what the web back end accepts) or eddsa
    /// (Better Auth's JWT plugin keys from the jwks table).
    #[arg(long, global = true, env = "TASKTALK_JWT_MODE", value_enum, default_value = "hs256")]
    pub jwt_mode: JwtModeArg,

    /// Token lifetime in minutes.
    #[arg(long, global = true, env = "TASKTALK_JWT_TTL_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub jwt_ttl_minutes: u32,

    /// `iss` claim to write and require (none by default).
    #[arg(long, global = true, env = "TASKTALK_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// `aud` claim to write and require (none by default: the web back end
    /// rejects tokens with an audience it does not expect).
    #[arg(long, global = true, env = "TASKTALK_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// The IANA time zone (Europe/Paris) in which "today", "overdue" and due
    /// dates without an offset are read. Default: the machine's (TZ).
    #[arg(long, global = true, env = "TASKTALK_TIME_ZONE")]
    pub time_zone: Option<String>,
}

impl GlobalOptions {
    pub fn location(&self) -> Result<Location, Failure> {
        let location = match self.database_url.as_deref() {
            Some(url) => url.parse(),
            None => Location::default_sqlite(),
        };
        location.map_err(|e| Failure::Usage(e.to_string()))
    }

    /// Opens the database and brings its schema up to date.
    pub async fn database(&self) -> Result<Database, Failure> {
        Ok(Database::open_and_migrate(&self.location()?).await?)
    }

    pub fn calendar(&self) -> Result<Calendar, Failure> {
        match self.time_zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
            Some(zone) => Calendar::named(zone).map_err(Failure::Usage),
            None => Ok(Calendar::system()),
        }
    }

    pub fn auth_config(&self) -> AuthConfig {
        let password_scheme = match self.password_hash {
            HashArg::Argon2 => PasswordScheme::Argon2,
            HashArg::Scrypt => PasswordScheme::Scrypt,
        };
        AuthConfig {
            password_scheme,
            ..AuthConfig::default()
        }
    }

    pub fn token_config(&self) -> Result<TokenConfig, Failure> {
        let secret = self.secret.clone().filter(|s| !s.is_empty()).ok_or_else(|| {
            Failure::Usage("this command needs the JWT secret: pass --secret or set BETTER_AUTH_SECRET".into())
        })?;
        let config = TokenConfig {
            mode: match self.jwt_mode {
                JwtModeArg::Hs256 => JwtMode::Hs256,
                JwtModeArg::Eddsa => JwtMode::EdDsa,
            },
            ttl: TimeDelta::minutes(i64::from(self.jwt_ttl_minutes)),
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            ..TokenConfig::new(Secret::new(secret))
        };
        config.check_secret()?;
        Ok(config)
    }

    /// Token service on `db` (opened when `None`), after the secret is checked.
    pub async fn tokens(&self, db: Option<&Database>) -> Result<Tokens, Failure> {
        let config = self.token_config()?;
        let db = match db {
            Some(db) => db.clone(),
            None => self.database().await?,
        };
        Ok(Tokens::load(&db, config).await?)
    }
}

/// Which model answers in the chat.
#[derive(Debug, Args)]
pub struct ProviderOptions {
    /// offline (default: no network, no key), openai, gemini, or openai-compatible
    /// (Ollama, LM Studio, vLLM: give --base-url and --model).
    #[arg(long, env = "TASKTALK_PROVIDER", default_value = "offline")]
    pub provider: ProviderKind,
    /// The model name (defaults: gpt-4.1-mini for openai, gemini-2.5-flash for gemini).
    #[arg(long, env = "TASKTALK_MODEL")]
    pub model: Option<String>,
    /// The provider's API key.
    #[arg(long, env = "TASKTALK_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The provider's base URL, e.g. http://localhost:11434/v1 for Ollama.
    #[arg(long, env = "TASKTALK_BASE_URL")]
    pub base_url: Option<String>,
}

impl ProviderOptions {
    pub fn settings(&self, calendar: Calendar) -> ProviderSettings {
        ProviderSettings {
            kind: self.provider,
            model: self.model.clone(),
            api_key: self.api_key.clone().filter(|k| !k.is_empty()).map(Secret::new),
            base_url: self.base_url.clone(),
            calendar,
        }
    }
}
