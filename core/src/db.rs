//! Opening the database (a SQLite file or a PostgreSQL server) and migrating it.
//!
//! Both dialects run the same SQL wherever it allows (`$1` placeholders work in
//! both); [`on_db!`] runs one block of code against whichever pool is open.

mod postgres;
mod sqlite;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Executor};

pub use postgres::PgDatabase;
pub use sqlite::{SqliteDatabase, SqliteLease, SqliteTransaction};

use crate::private;

/// The app's reverse-DNS identifier; also names its data directory.
pub const APP_IDENTIFIER: &str = "app.tasktalk.desktop";
const SQLITE_FILE_NAME: &str = "tasktalk.db";
/// A PostgreSQL connection idle for longer is pinged before it is used again.
const IDLE_CHECK_AFTER: Duration = Duration::from_secs(30);

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid database location: {0}")]
    InvalidLocation(String),
    #[error("could not open the database: {0}")]
    Open(String),
    #[error("could not update the database schema: {0}")]
    Migrate(String),
    #[error("the database is unavailable; try again in a moment")]
    Unavailable(#[source] sqlx::Error),
    #[error("{POOLER_HINT}")]
    Pooler(#[source] sqlx::Error),
    #[error("the database could not complete the operation")]
    Query(#[source] sqlx::Error),
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        // The detail goes to the log only (sqlx errors carry no bound values);
        // the person reads the sentence of the variant.
        tracing::error!(error = %err, "database error");
        match err {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Error::Unavailable(err),
            _ if is_pooler_symptom(&err) => Error::Pooler(err),
            other => Error::Query(other),
        }
    }
}

/// What a person reads when prepared statements meet a transaction pooler
/// the URL does not announce.
const POOLER_HINT: &str = "the database connection seems to go through a transaction pooler (PgBouncer in \
     transaction mode, or a provider's pooled endpoint), which cannot carry prepared statements: add \
     pgbouncer=true to the database URL (postgres://…?pgbouncer=true)";

/// The errors a transaction pooler causes when statements are prepared by
/// name: a name another client left on the server (`sqlx_s_1 already
/// exists`), a name or an unnamed statement prepared on another server
/// (`does not exist`), or a Bind that reached another client's statement.
/// A direct connection never shows them: sqlx tracks its own names.
fn is_pooler_symptom(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db)
        if matches!(db.code().as_deref(), Some("42P05" | "26000" | "08P01")))
}

/// Whether a query failed because a unique constraint was violated.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Where the data lives. Parsed from a `postgres://` URL, a `sqlite:` URL or a
/// plain file path.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

/// The desktop app's data folder (Tauri's `app_data_dir`), where the system reports one.
pub fn app_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|base| base.join(APP_IDENTIFIER))
}

impl Location {
    /// `tasktalk.db` in the platform's data directory for the app.
    pub fn default_sqlite() -> Result<Self> {
        let dir = app_data_dir().ok_or_else(|| {
            Error::InvalidLocation("this system reports no data directory; pass a database path".into())
        })?;
        Ok(Location::Sqlite(dir.join(SQLITE_FILE_NAME)))
    }
}

impl FromStr for Location {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::InvalidLocation("the database location is empty".into()));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            PostgresUrl::parse(s)?;
            return Ok(Location::Postgres(s.to_owned()));
        }
        if let Some(rest) = s.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() || path == ":memory:" {
                return Err(Error::InvalidLocation(
                    "an in-memory SQLite database would lose every task on exit; give a file path".into(),
                ));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if s.contains("://") {
            return Err(Error::InvalidLocation(
                "only postgres:// URLs, sqlite: URLs and file paths are supported".into(),
            ));
        }
        Ok(Location::Sqlite(PathBuf::from(s)))
    }
}

/// Connections one instance opens to PostgreSQL unless the URL's
/// `connection_limit` says otherwise.
pub const DEFAULT_CONNECTION_LIMIT: u32 = 10;
/// PostgreSQL's own default `max_connections` is 100; a limit far above
/// it is a typo.
const MAX_CONNECTION_LIMIT: u32 = 1_000;

/// A PostgreSQL URL split into what the driver reads and the parameters
/// Tasktalk reads itself, under Prisma's names: `pgbouncer=true` (the URL
/// points at a transaction pooler) and `connection_limit=N` (this
/// instance's pool size). Both are taken out before the URL reaches the
/// driver, which knows neither.
#[derive(Debug)]
struct PostgresUrl {
    options: PgConnectOptions,
    pgbouncer: bool,
    connection_limit: u32,
}

impl PostgresUrl {
    fn parse(url: &str) -> Result<Self> {
        let (base, query) = url.trim().split_once('?').unwrap_or((url.trim(), ""));
        let mut pgbouncer = false;
        let mut connection_limit = DEFAULT_CONNECTION_LIMIT;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.split_once('=').unwrap_or((pair, "")) {
                ("pgbouncer", value) => {
                    pgbouncer = value.parse().map_err(|_| {
                        Error::InvalidLocation(format!("pgbouncer={value:?} in the PostgreSQL URL: use true or false"))
                    })?;
                }
                ("connection_limit", value) => {
                    connection_limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_CONNECTION_LIMIT).contains(n))
                        .ok_or_else(|| {
                            Error::InvalidLocation(format!(
                                "connection_limit={value:?} in the PostgreSQL URL: use a number from 1 to {MAX_CONNECTION_LIMIT}"
                            ))
                        })?;
                }
                _ => kept.push(pair),
            }
        }
        let driver_url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let options = PgConnectOptions::from_str(&driver_url)
            .map_err(|_| Error::InvalidLocation("the PostgreSQL URL could not be parsed".into()))?;
        Ok(Self {
            options,
            pgbouncer,
            connection_limit,
        })
    }
}

/// The server a PostgreSQL URL connects to (and sends its password to), as
/// `host:port`, read the way the connection reads it (a `host` parameter
/// counts); `None` if the URL cannot be parsed.
pub fn postgres_server(url: &str) -> Option<String> {
    let options = PostgresUrl::parse(url).ok()?.options;
    Some(format!("{}:{}", options.get_host(), options.get_port()))
}

/// Shows a PostgreSQL URL without its password.
impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact_url_password(url)),
        }
    }
}

fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_owned(),
    }
}

/// The words of a search text as patterns for `lower(column) like $n escape '\'`
/// on both dialects: lowercased, with `%`, `_` and `\` escaped so that they
/// match themselves. None when the text is over `max_chars` characters or
/// `max_words` words (the work of a search grows with both).
pub fn like_patterns(text: &str, max_chars: usize, max_words: usize) -> Option<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().take(max_words + 1).collect();
    if text.chars().nth(max_chars).is_some() || words.len() > max_words {
        return None;
    }
    Some(
        words
            .into_iter()
            .map(|word| {
                let escaped = word
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            })
            .collect(),
    )
}

/// Which SQL dialect a [`Database`] speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// An open connection pool to either dialect. Cloning is cheap (pools are shared).
#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqliteDatabase),
    Postgres(PgDatabase),
}

/// Runs the same block against whichever database `$db` holds; inside the
/// block `$pool` is a `&SqliteDatabase` or a `&PgDatabase`: an executor with
/// `begin` and `begin_with`, like a pool.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Database::Sqlite($pool) => $body,
            $crate::db::Database::Postgres($pool) => $body,
        }
    };
}

impl Database {
    /// Opens the database (creating a SQLite file and its folder if missing).
    /// Does not migrate: call [`Database::migrate`].
    #[tracing::instrument(name = "db.open", skip_all, fields(location = %location))]
    pub async fn open(location: &Location) -> Result<Self> {
        match location {
            Location::Sqlite(path) => open_sqlite(path).await.map(Database::Sqlite),
            Location::Postgres(url) => {
                let url = PostgresUrl::parse(url)?;
                // A pooler's server connections serve other clients between
                // transactions: no statement may be cached by name there.
                let options = if url.pgbouncer {
                    url.options.statement_cache_capacity(0)
                } else {
                    url.options
                };
                // One direct attempt first: the pool retries refused connections
                // until its acquire timeout, which would hide a wrong URL for seconds.
                PgConnection::connect_with(&options)
                    .await
                    .map_err(|err| Error::Open(describe_connect_error(&err)))?
                    .close()
                    .await
                    .map_err(|err| Error::Open(describe_connect_error(&err)))?;
                let pool = PgPoolOptions::new()
                    .max_connections(url.connection_limit)
                    .acquire_timeout(Duration::from_secs(10))
                    // By default every checkout pings first: a second round trip
                    // per query. Only a connection idle for a while is checked.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for > IDLE_CHECK_AFTER {
                                conn.ping().await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(options)
                    .await
                    .map_err(|err| Error::Open(describe_connect_error(&err)))?;
                Ok(Database::Postgres(PgDatabase::new(pool, url.pgbouncer)))
            }
        }
    }

    /// Opens and migrates in one step: what every transport does at start.
    pub async fn open_and_migrate(location: &Location) -> Result<Self> {
        let db = Self::open(location).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Database::Sqlite(_) => Dialect::Sqlite,
            Database::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Applies the pending migrations of this dialect. Safe on a database that
    /// Better Auth or the web version created: every table is created only if
    /// missing, and no existing row is touched.
    #[tracing::instrument(name = "db.migrate", skip_all, fields(dialect = ?self.dialect()))]
    pub async fn migrate(&self) -> Result<()> {
        let outcome = match self {
            Database::Sqlite(sqlite) => {
                // `run_direct`: `run` takes an `Acquire`, whose future the
                // compiler cannot prove `Send` for a borrowed connection.
                let mut connection = sqlite.acquire().await?;
                sqlx::migrate!("../migrations/sqlite")
                    .run_direct(None, &mut *connection, false)
                    .await
            }
            Database::Postgres(pg) => migrate_postgres(pg).await,
        };
        outcome.map_err(|err| match &err {
            sqlx::migrate::MigrateError::Execute(sqlx_err)
            | sqlx::migrate::MigrateError::ExecuteMigration(sqlx_err, _)
                if is_pooler_symptom(sqlx_err) =>
            {
                Error::Migrate(format!("{err}; {POOLER_HINT}"))
            }
            _ => Error::Migrate(err.to_string()),
        })?;
        tracing::info!("database schema is up to date");
        Ok(())
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_db!(self, pool => sqlx::query("select 1").execute(pool).await.is_ok())
    }

    pub async fn close(&self) {
        match self {
            Database::Sqlite(sqlite) => sqlite.close().await,
            Database::Postgres(pg) => pg.close().await,
        }
    }
}

/// Every pending migration in one transaction, under a transaction-level
/// advisory lock: instances starting together take turns, and a pooler
/// keeps the whole run on one server. (sqlx's own lock is held by the
/// session, which a transaction pooler does not keep, and would stay held
/// on a server connection after a run whose unlock went to another.) Each
/// migration is a savepoint inside it.
async fn migrate_postgres(pg: &PgDatabase) -> Result<(), sqlx::migrate::MigrateError> {
    let mut migrator = sqlx::migrate!("../migrations/postgres");
    migrator.set_locking(false);
    let mut tx = pg.begin().await?;
    (&mut *tx)
        .execute("select pg_advisory_xact_lock(hashtext('tasktalk migrations ' || coalesce(current_schema(), '')))")
        .await?;
    migrator.run_direct(None, &mut *tx, false).await?;
    tx.commit().await?;
    Ok(())
}

async fn open_sqlite(path: &Path) -> Result<SqliteDatabase> {
    if let Some(parent) = path.parent() {
        private::create_dir(parent)
            .map_err(|err| Error::Open(format!("could not create the folder {}: {err}", parent.display())))?;
    }
    make_sqlite_files_private(path)?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let could_not_open =
        |err: sqlx::Error| Error::Open(format!("{} ({})", path.display(), describe_connect_error(&err)));
    let serving = SqliteConnection::connect_with(&sqlite::serving(options.clone()))
        .await
        .map_err(could_not_open)?;
    let checkpointer = SqliteConnection::connect_with(&options).await.map_err(could_not_open)?;
    Ok(SqliteDatabase::new(serving, checkpointer))
}

/// Creates the database file readable by its owner only, before SQLite does
/// (SQLite gives the -wal and -shm files it creates the database file's
/// mode), and tightens files an older version or a loose umask left readable.
/// A file that cannot be tightened (another owner's) is opened anyway, with
/// a warning: refusing would not make it any less readable.
fn make_sqlite_files_private(path: &Path) -> Result<()> {
    let database = private::ensure_file(path);
    if let Err(err) = &database
        && !path.is_file()
    {
        return Err(Error::Open(format!("could not create {}: {err}", path.display())));
    }
    report_tightening(path, database);
    for suffix in ["-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        let companion = PathBuf::from(companion);
        let outcome = private::restrict(&companion);
        report_tightening(&companion, outcome);
    }
    Ok(())
}

fn report_tightening(file: &Path, outcome: std::io::Result<bool>) {
    match outcome {
        Ok(false) => {}
        Ok(true) => {
            tracing::warn!(file = %file.display(), "other accounts could read this database file; now only its owner can")
        }
        Err(err) => tracing::warn!(file = %file.display(), error = %err, "could not make this database file private"),
    }
}

/// A connection error as a sentence that names no credentials.
fn describe_connect_error(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(io) => format!("the server could not be reached: {io}"),
        sqlx::Error::Tls(_) => "the TLS handshake failed".into(),
        sqlx::Error::PoolTimedOut => "timed out while connecting".into(),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("28P01") | Some("28000") => "authentication failed: check the user name and password".into(),
            Some("3D000") => "the database does not exist".into(),
            _ => db.message().to_owned(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_accepted_location_form() {
        assert_eq!(
            "postgres://u:p@h:5432/db".parse::<Location>().ok(),
            Some(Location::Postgres("postgres://u:p@h:5432/db".into()))
        );
        assert_eq!(
            "sqlite:///tmp/a.db".parse::<Location>().ok(),
            Some(Location::Sqlite("/tmp/a.db".into()))
        );
        assert_eq!(
            "sqlite:data/a.db?mode=rwc".parse::<Location>().ok(),
            Some(Location::Sqlite("data/a.db".into()))
        );
        assert_eq!(
            "./tasks.db".parse::<Location>().ok(),
            Some(Location::Sqlite("./tasks.db".into()))
        );
        assert!("mysql://h/db".parse::<Location>().is_err());
        assert!("sqlite::memory:".parse::<Location>().is_err());
        assert!("  ".parse::<Location>().is_err());
    }

    #[test]
    fn the_postgres_server_is_read_as_the_connection_reads_it() {
        assert_eq!(
            postgres_server("postgres://app@db.example/tasks").as_deref(),
            Some("db.example:5432")
        );
        assert_eq!(
            postgres_server("postgres://app@db.example:6543/tasks?sslmode=require").as_deref(),
            Some("db.example:6543")
        );
        assert_eq!(
            postgres_server("postgres://app@db.example/tasks?host=elsewhere.example").as_deref(),
            Some("elsewhere.example:5432")
        );
        assert_eq!(postgres_server("not a url"), None);
    }

    #[test]
    fn tasktalks_own_url_parameters_are_read_and_kept_from_the_driver() {
        let url = PostgresUrl::parse("postgres://u:p@h:6432/db?sslmode=disable&pgbouncer=true&connection_limit=4")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(url.pgbouncer);
        assert_eq!(url.connection_limit, 4);
        assert_eq!((url.options.get_host(), url.options.get_port()), ("h", 6432));
        assert_eq!(url.options.get_database(), Some("db"));
        let plain = PostgresUrl::parse("postgres://u@h/db").unwrap_or_else(|e| panic!("{e}"));
        assert!(!plain.pgbouncer);
        assert_eq!(plain.connection_limit, DEFAULT_CONNECTION_LIMIT);
        for wrong in [
            "pgbouncer=yes",
            "connection_limit=0",
            "connection_limit=many",
            "connection_limit=100000",
        ] {
            let err = format!("{:?}", PostgresUrl::parse(&format!("postgres://u@h/db?{wrong}")).err());
            assert!(
                err.contains(wrong.split('=').next().unwrap_or_default()),
                "{wrong}: {err}"
            );
        }
        assert_eq!(
            postgres_server("postgres://u@db.example:6543/app?pgbouncer=true").as_deref(),
            Some("db.example:6543")
        );
    }

    #[test]
    fn display_and_debug_hide_the_password() {
        let loc: Location = "postgres://alice:s3cret@db.example:5432/app?sslmode=require"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{loc} {loc:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://alice:***@db.example:5432/app?sslmode=require"),
            "{shown}"
        );
        let pooled: Location = "postgres://alice:s3cret@pooler.example:6543/app?pgbouncer=true"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pooled.to_string(),
            "postgres://alice:***@pooler.example:6543/app?pgbouncer=true"
        );
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_database_and_its_folder_are_private() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let folder = dir.path().join("a").join("b");
        let path = folder.join("tasks.db");
        let db = Database::open_and_migrate(&Location::Sqlite(path.clone()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(db.ping().await);
        assert_eq!((mode(&dir.path().join("a")), mode(&folder)), (0o700, 0o700));
        for file in ["tasks.db", "tasks.db-wal", "tasks.db-shm"] {
            assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
        }
        db.close().await;
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn an_existing_readable_sqlite_database_is_tightened_on_open() {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("tasks.db");
        let first = Database::open_and_migrate(&Location::Sqlite(path.clone()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        first.close().await;
        // As an older version, a copy or a loose umask would have left them.
        for file in ["tasks.db", "tasks.db-wal", "tasks.db-shm"] {
            let file = dir.path().join(file);
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o644)
                .open(&file)
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
        }
        let db = Database::open_and_migrate(&Location::Sqlite(path))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(db.ping().await);
        for file in ["tasks.db", "tasks.db-wal", "tasks.db-shm"] {
            assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
        }
        db.close().await;
    }

    /// A bare SQLite database (no schema) in a new folder, with one row
    /// holding `marker`; the folder lives as long as the first value.
    async fn sqlite_with_a_row(marker: &str) -> (tempfile::TempDir, PathBuf, Database) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("tasks.db");
        let db = Database::open(&Location::Sqlite(path.clone()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let Database::Sqlite(sqlite) = &db else { unreachable!() };
        for statement in [
            sqlx::query("create table notes (body text)"),
            sqlx::query("insert into notes values ($1)").bind(marker),
        ] {
            statement.execute(sqlite).await.unwrap_or_else(|e| panic!("{e}"));
        }
        (dir, path, db)
    }

    fn file_holds(path: &Path, marker: &str) -> bool {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        bytes.windows(marker.len()).any(|window| window == marker.as_bytes())
    }

    #[tokio::test]
    async fn a_small_sqlite_write_reaches_the_database_file_while_the_database_stays_open() {
        let marker = "a row written to the log first";
        let (_dir, path, db) = sqlite_with_a_row(marker).await;
        // Two pages of log: far below any automatic checkpoint's threshold,
        // so only the background checkpointer copies them into the file.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !file_holds(&path, marker) {
            assert!(std::time::Instant::now() < deadline, "the row never left the log");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        db.close().await;
    }

    #[tokio::test]
    async fn closing_a_sqlite_database_leaves_every_row_in_its_file_and_no_log() {
        let marker = "a row written just before closing";
        let (dir, path, db) = sqlite_with_a_row(marker).await;
        db.close().await;
        // Both connections are closed by now: the last one folded the log
        // into the file and removed it.
        assert!(!dir.path().join("tasks.db-wal").exists());
        assert!(file_holds(&path, marker));
    }

    async fn notes(sqlite: &SqliteDatabase) -> Vec<String> {
        sqlx::query_scalar("select body from notes order by rowid")
            .fetch_all(sqlite)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn a_sqlite_transaction_dropped_without_commit_leaves_nothing_and_the_next_can_begin() {
        let (_dir, _path, db) = sqlite_with_a_row("kept").await;
        let Database::Sqlite(sqlite) = &db else { unreachable!() };
        let mut tx = sqlite.begin().await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("insert into notes values ('dropped')")
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        drop(tx);
        let mut tx = sqlite.begin().await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("insert into notes values ('committed')")
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(notes(sqlite).await, ["kept", "committed"]);
        db.close().await;
    }

    /// A batch that sends its own `begin` and fails or is cancelled before its
    /// `commit` leaves the transaction open; the next holder must not write
    /// into it (its rows would vanish with the batch's later rollback).
    #[tokio::test]
    async fn the_next_holder_of_sqlite_rolls_back_a_batch_left_unfinished() {
        let (_dir, path, db) = sqlite_with_a_row("kept").await;
        let Database::Sqlite(sqlite) = &db else { unreachable!() };
        let mut lease = sqlite.acquire().await.unwrap_or_else(|e| panic!("{e}"));
        let failed = lease
            .execute("begin; insert into notes values ('unfinished'); insert into no_such_table values (1); commit;")
            .await;
        assert!(failed.is_err());
        lease.mark_unfinished_batch();
        drop(lease);
        sqlx::query("insert into notes values ('next')")
            .execute(sqlite)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        db.close().await;
        let reopened = Database::open(&Location::Sqlite(path.clone()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let Database::Sqlite(sqlite) = &reopened else {
            unreachable!()
        };
        assert_eq!(notes(sqlite).await, ["kept", "next"]);
        reopened.close().await;
    }

    #[tokio::test]
    async fn a_closed_sqlite_database_answers_unavailable() {
        let (_dir, _path, db) = sqlite_with_a_row("kept").await;
        db.close().await;
        assert!(!db.ping().await);
        let Database::Sqlite(sqlite) = &db else { unreachable!() };
        let err = sqlite.acquire().await.err().map(Error::from);
        assert!(matches!(err, Some(Error::Unavailable(_))), "{err:?}");
    }

    #[test]
    fn default_location_is_in_the_app_data_dir() {
        if let Ok(Location::Sqlite(path)) = Location::default_sqlite() {
            assert!(path.ends_with(format!("{APP_IDENTIFIER}/{SQLITE_FILE_NAME}")));
        }
    }
}
