//! The operator's command line: migrate, manage users, sign in, check tokens,
//! manage a user's tasks, serve MCP for one session. Each command parses, calls the core, prints.

use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};

use clap::{Parser, Subcommand};
use serde::Serialize;
use tasktalk_core::auth::{Accounts, ClientInfo, User};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::db::Database;
use tasktalk_core::tasks::{NewTask, Page, Priority, Task, TaskId, TaskQuery, TaskUpdate, Tasks};

use crate::failure::Failure;
use crate::options::GlobalOptions;

#[derive(Debug, Parser)]
#[command(
    name = "tasktalk-server",
    version,
    about = "Tasktalk's headless server and admin command line"
)]
pub struct Cli {
    #[command(flatten)]
    pub options: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or update the database schema (safe on a Better Auth or web-version database).
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Sign in (password from stdin) and print the user, session token and JWT as JSON.
    SignIn {
        #[arg(long)]
        email: String,
    },
    /// Check JWTs.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage a user's tasks.
    #[command(subcommand)]
    Task(TaskCommand),
    /// Serve the auth, tasks and ChatKit routes over HTTP until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Serve the task tools over MCP on stdin/stdout for one user, whose session
    /// token is in TASKTALK_SESSION_TOKEN or the file given.
    Mcp(McpArgs),
    /// Write a user's tasks and conversations as JSON (for import) or their conversations as Markdown.
    Export(crate::export::ExportArgs),
    /// Add what a JSON export holds to a user's account (nothing twice); prints a one-line JSON summary.
    Import(crate::export::ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// A file holding the session token (from sign-in); overrides TASKTALK_SESSION_TOKEN.
    // No --session-token flag: a token on the command line is visible to every local user.
    #[arg(long)]
    pub session_token_file: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TASKTALK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// A browser origin allowed to call the API (repeat, or comma-separate in the variable).
    #[arg(long = "cors-origin", env = "TASKTALK_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "TASKTALK_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a client has to send a request's headers; also how long an
    /// idle keep-alive connection stays open.
    #[arg(long, env = "TASKTALK_HEADER_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Connections served at once; further clients wait until one closes.
    #[arg(long, env = "TASKTALK_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    #[command(flatten)]
    pub limits: crate::http::limit::LimitOptions,
    #[command(flatten)]
    pub provider: crate::options::ProviderOptions,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from stdin (one line).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// List every user.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a user with their sessions, tasks and conversations.
    Delete {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a token's claims as JSON, or fail if it is not valid or its account no longer exists.
    Verify { token: String },
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Add a task.
    Add {
        #[arg(long)]
        email: String,
        title: String,
        #[arg(long)]
        description: Option<String>,
        /// When it is due: ISO 8601 (2026-12-24, 2026-12-24T17:00, local time
        /// unless an offset is given) or words ("tomorrow at 5pm", "next friday").
        #[arg(long)]
        due: Option<String>,
        /// none, low, medium or high.
        #[arg(long)]
        priority: Option<String>,
        /// When to remind: as --due; a date alone means 09:00.
        #[arg(long)]
        remind: Option<String>,
    },
    /// List tasks, newest first unless sorted otherwise.
    List {
        #[arg(long)]
        email: String,
        /// all, pending or completed.
        #[arg(long, default_value = "all")]
        status: String,
        /// overdue, today, tomorrow, week (today and the next 6 days) or none.
        #[arg(long)]
        due: Option<String>,
        /// none, low, medium or high.
        #[arg(long)]
        priority: Option<String>,
        /// Only tasks whose title or description contains each of these words.
        #[arg(long)]
        q: Option<String>,
        /// created (newest first), due (soonest first) or priority (highest first).
        #[arg(long, default_value = "created")]
        sort: String,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Tasks to skip, for the pages after the first.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        json: bool,
    },
    /// Change a task's title, due date, reminder or priority, or reopen it.
    Edit {
        #[arg(long)]
        email: String,
        id: TaskId,
        #[arg(long)]
        title: Option<String>,
        /// As for add.
        #[arg(long, conflicts_with = "no_due")]
        due: Option<String>,
        /// Remove the due date.
        #[arg(long)]
        no_due: bool,
        #[arg(long)]
        priority: Option<String>,
        /// As for add.
        #[arg(long, conflicts_with = "no_remind")]
        remind: Option<String>,
        /// Remove the reminder.
        #[arg(long)]
        no_remind: bool,
        /// Mark a done task as not done.
        #[arg(long)]
        reopen: bool,
    },
    /// Mark a task done.
    Done {
        #[arg(long)]
        email: String,
        id: TaskId,
    },
    /// Delete a task.
    Rm {
        #[arg(long)]
        email: String,
        id: TaskId,
    },
}

const SESSION_TOKEN_VARIABLE: &str = "TASKTALK_SESSION_TOKEN";

#[derive(Serialize)]
struct SignInOutput<'a> {
    user: &'a User,
    session_token: &'a str,
    token: &'a str,
}

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let options = &cli.options;
    match cli.command {
        Command::Migrate => {
            let location = options.location()?;
            Database::open_and_migrate(&location).await?;
            out(format_args!("{location} is up to date"))
        }
        Command::User(command) => user(options, command).await,
        Command::SignIn { email } => {
            let tokens = options.tokens(None).await?;
            let accounts = Accounts::new(options.database().await?, options.auth_config());
            let password = read_password()?;
            let signed = accounts.sign_in(&email, &password, &ClientInfo::default()).await?;
            let jwt = tokens.issue(&signed.user)?;
            print_json(&SignInOutput {
                user: &signed.user,
                session_token: &signed.session.token,
                token: &jwt.token,
            })
        }
        Command::Token(TokenCommand::Verify { token }) => {
            let claims = options.tokens(None).await?.verify_account(token.trim()).await?;
            print_json(&claims)
        }
        Command::Task(command) => task(options, command).await,
        Command::Serve(args) => serve(options, args).await,
        Command::Mcp(args) => mcp(options, args).await,
        Command::Export(args) => crate::export::export(options, args).await,
        Command::Import(args) => crate::export::import(options, args).await,
    }
}

/// The session is checked before anything is served, so a bad token is one
/// line on stderr and a non-zero exit, never an MCP handshake.
async fn mcp(options: &GlobalOptions, args: McpArgs) -> Result<(), Failure> {
    let token = match &args.session_token_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("could not read the session token file {}: {e}", path.display())))?,
        None => std::env::var(SESSION_TOKEN_VARIABLE).unwrap_or_default(),
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(Failure::Usage(format!(
            "no session token: set {SESSION_TOKEN_VARIABLE} or pass --session-token-file PATH (sign-in prints one)"
        )));
    }
    let db = options.database().await?;
    let accounts = Accounts::new(db.clone(), options.auth_config());
    let signed = accounts.session(token).await?;
    let tasks = Tasks::with_calendar(db, options.calendar()?);
    tracing::info!(user_id = %signed.user.id, "serving MCP on stdio");
    tasktalk_core::mcp::TaskServer::for_session(tasks, accounts, token)
        .serve_stdio()
        .await
        .map_err(|e| Failure::Refused(e.to_string()))
}

async fn serve(options: &GlobalOptions, args: ServeArgs) -> Result<(), Failure> {
    // A missing or short secret is refused before the database is touched.
    options.token_config()?;
    let cors_origins = args
        .cors_origins
        .iter()
        .map(|o| cors_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    let calendar = options.calendar()?;
    let provider = args
        .provider
        .settings(calendar)
        .build()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let db = options.database().await?;
    let tokens = options.tokens(Some(&db)).await?;
    tracing::info!(provider = %provider.describe(), "assistant ready");
    let state = tasktalk_core::Services::new(db, tokens, options.auth_config(), provider, calendar);
    let config = crate::http::HttpConfig {
        bind: args.bind,
        cors_origins,
        max_body_bytes: args.max_body_bytes,
        rate_limits: args.limits,
        connections: crate::http::connections::Limits {
            header_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
            max_connections: args.max_connections as usize,
        },
    };
    crate::http::serve(state, config)
        .await
        .map_err(|e| Failure::Refused(format!("could not serve on {}: {e}", args.bind)))
}

/// One browser origin, `scheme://host[:port]`. `*` is refused: the API takes
/// credentials (`Authorization`), and a wildcard would let every web page
/// call it with whatever token it holds.
fn cors_origin(text: &str) -> Result<axum::http::HeaderValue, Failure> {
    let origin = text.trim();
    if origin == "*" {
        return Err(Failure::Usage(
            "the CORS origin '*' is not supported: list each browser origin allowed to call with credentials, e.g. https://app.example.com".into(),
        ));
    }
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .filter(|host| !host.is_empty() && !host.contains(['/', '?', '#', '*', ' ']));
    host.and_then(|_| origin.parse().ok()).ok_or_else(|| {
        Failure::Usage(format!(
            "{text:?} is not a CORS origin: give scheme://host[:port] without a path, e.g. https://app.example.com"
        ))
    })
}

async fn user(options: &GlobalOptions, command: UserCommand) -> Result<(), Failure> {
    let accounts = Accounts::new(options.database().await?, options.auth_config());
    match command {
        UserCommand::Create { email, name } => {
            let password = read_password()?;
            let user = accounts.create_user(&email, &name, &password).await?;
            out(format_args!("created {} <{}> ({})", user.name, user.email, user.id))
        }
        UserCommand::List { json: true } => print_json(&accounts.list_users().await?),
        UserCommand::List { json: false } => {
            let users = accounts.list_users().await?;
            let mut lines = vec![format!("{:<32}  {:<30}  {:<24}  CREATED", "ID", "EMAIL", "NAME")];
            lines.extend(users.iter().map(|u| {
                let (email, name) = (printable(&u.email), printable(&u.name));
                format!("{:<32}  {email:<30}  {name:<24}  {}", u.id, u.created_at)
            }));
            lines.push(format!("{} user(s)", users.len()));
            out(format_args!("{}", lines.join("\n")))
        }
        UserCommand::Delete { email } => {
            let user = accounts.user_by_email(&email).await?;
            accounts.delete_user(&user.id).await?;
            out(format_args!("deleted {} and all their data", user.email))
        }
    }
}

async fn task(options: &GlobalOptions, command: TaskCommand) -> Result<(), Failure> {
    let db = options.database().await?;
    let accounts = Accounts::new(db.clone(), options.auth_config());
    let tasks = Tasks::with_calendar(db, options.calendar()?);
    let owner = |email: &str| {
        let accounts = accounts.clone();
        let email = email.to_owned();
        async move { accounts.user_by_email(&email).await.map(|u| u.id) }
    };
    match command {
        TaskCommand::Add {
            email,
            title,
            description,
            due,
            priority,
            remind,
        } => {
            let calendar = tasks.calendar();
            let new = NewTask {
                description,
                due: due.as_deref().map(|text| calendar.read_due(text)).transpose()?,
                remind_at: remind.as_deref().map(|text| calendar.read_reminder(text)).transpose()?,
                priority: priority.as_deref().map(str::parse).transpose()?.unwrap_or_default(),
                ..NewTask::titled(title)
            };
            let task = tasks.create(&owner(&email).await?, new).await?;
            out(format_args!("added {}", task_line(&task, calendar)))
        }
        TaskCommand::List {
            email,
            status,
            due,
            priority,
            q,
            sort,
            limit,
            offset,
            json,
        } => {
            let query = TaskQuery {
                status: status.parse()?,
                due: due.as_deref().map(str::parse).transpose()?,
                priority: priority.as_deref().map(str::parse).transpose()?,
                text: q,
                sort: sort.parse()?,
            };
            let listed = tasks
                .query(&owner(&email).await?, &query, Page { limit, offset })
                .await?;
            if json {
                return print_json(&listed);
            }
            let lines: Vec<String> = listed.iter().map(|task| task_line(task, tasks.calendar())).collect();
            out(format_args!(
                "{}{}",
                lines.join("\n"),
                if lines.is_empty() { "no tasks" } else { "" }
            ))
        }
        TaskCommand::Edit {
            email,
            id,
            title,
            due,
            no_due,
            priority,
            remind,
            no_remind,
            reopen,
        } => {
            let calendar = tasks.calendar();
            let read_due = |text: &str| calendar.read_due(text);
            let read_reminder = |text: &str| calendar.read_reminder(text);
            let update = TaskUpdate {
                title,
                due: cleared_or(no_due, due.as_deref().map(read_due).transpose()?),
                remind_at: cleared_or(no_remind, remind.as_deref().map(read_reminder).transpose()?),
                priority: priority.as_deref().map(str::parse).transpose()?,
                completed: reopen.then_some(false),
                ..TaskUpdate::default()
            };
            let task = tasks.update(&owner(&email).await?, id, update).await?;
            out(format_args!("edited {}", task_line(&task, calendar)))
        }
        TaskCommand::Done { email, id } => {
            let task = tasks.complete(&owner(&email).await?, id).await?;
            out(format_args!("done {}", task_line(&task, tasks.calendar())))
        }
        TaskCommand::Rm { email, id } => {
            let task = tasks.delete(&owner(&email).await?, id).await?;
            out(format_args!("deleted {}", task_line(&task, tasks.calendar())))
        }
    }
}

/// A `--no-…` flag clears the field; a value sets it; neither keeps it.
fn cleared_or<T>(clear: bool, value: Option<T>) -> Option<Option<T>> {
    if clear { Some(None) } else { value.map(Some) }
}

/// `[ ]    7  call mom  (notes)  due 2026-12-24T17:00  !high  remind 2026-12-24T16:30`,
/// dates in the calendar's zone.
fn task_line(task: &Task, calendar: &Calendar) -> String {
    let mark = if task.completed { "x" } else { " " };
    let mut line = format!("[{mark}] {:>4}  {}", task.id, printable(&task.title));
    if let Some(description) = &task.description {
        line.push_str(&format!("  ({})", printable(description)));
    }
    if let Some(due) = task.due() {
        line.push_str(&format!("  due {}", calendar.format_due(due)));
    }
    if task.priority != Priority::None {
        line.push_str(&format!("  !{}", task.priority));
    }
    if let Some(at) = task.remind_at {
        line.push_str(&format!("  remind {}", calendar.format_local(at)));
    }
    line
}

/// Stored text for a terminal: control characters (from old rows or another
/// program) are shown escaped, `\u{1b}`, never sent raw, so a title can
/// neither drive the terminal nor break the one-line-per-row layout.
fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// One line from stdin, without its line ending; typed without echo on a terminal.
fn read_password() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(rpassword::prompt_password("Password: ")?);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    if password.is_empty() {
        return Err(Failure::Usage(
            "no password on stdin: pipe it in, e.g. `printf '%s\\n' \"$PW\" | tasktalk-server ...`".into(),
        ));
    }
    Ok(password.to_owned())
}

fn out(text: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(())
}

fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Refused(format!("could not encode the output: {e}")))?;
    out(format_args!("{text}"))
}
