//! The assistant's tools as a Model Context Protocol server: the tool list and
//! every call come from [`tools::TOOLS`], so names, schemas and error codes are
//! exactly the agent's. Who is calling is settled on every request, never once
//! per connection: stdio checks its session token again (a session signed out
//! meanwhile stops working at once); Streamable HTTP authenticates each request
//! before MCP sees it and passes the user in the request's extensions.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::agent::ToolCall;
use crate::agent::tools::{self, ToolEntry, ToolFailure};
use crate::auth::{self, Accounts};
use crate::tasks::{ErrorCode, Tasks};

/// Argument names that would say whose tasks to touch: the user is the
/// session's, so a call that names one is refused rather than silently
/// acting for someone else than the caller may think.
const IDENTITY_ARGUMENTS: [&str; 3] = ["user_id", "userId", "email"];

/// The user's open tasks, read-only, for clients that attach resources.
pub const OPEN_TASKS: &str = "tasktalk://tasks/open";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the MCP client did not initialize: {0}")]
    Initialize(#[from] Box<rmcp::service::ServerInitializeError>),
    #[error("the MCP server stopped: {0}")]
    Stopped(#[from] tokio::task::JoinError),
}

/// The user an HTTP transport authenticated for one request, put in the
/// request's extensions before the request reaches MCP.
#[derive(Clone, Debug)]
pub struct RequestUser(pub Arc<str>);

/// How [`TaskServer`] learns whom a request is for.
#[derive(Clone, Debug)]
enum Caller {
    /// stdio: the session token the process started with, resolved again for each request.
    Session { accounts: Accounts, token: Arc<str> },
    /// Streamable HTTP: the [`RequestUser`] in each request's extensions.
    PerRequest,
}

/// Why a request has no user: its text starts with the code, like a tool failure's.
#[derive(Debug)]
struct Unauthenticated(String);

impl Unauthenticated {
    fn tool_result(self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(self.0)])
    }

    fn protocol_error(self) -> ErrorData {
        ErrorData::invalid_request(self.0, None)
    }
}

/// The task tools and the open-tasks resource, for whoever each request is from.
#[derive(Clone, Debug)]
pub struct TaskServer {
    tasks: Tasks,
    caller: Caller,
}

impl TaskServer {
    /// For one session (stdio): every request acts for the session's user
    /// while the session lasts, and is refused with `SESSION_INVALID` after.
    pub fn for_session(tasks: Tasks, accounts: Accounts, session_token: &str) -> Self {
        Self {
            tasks,
            caller: Caller::Session {
                accounts,
                token: session_token.into(),
            },
        }
    }

    /// For requests that a transport authenticated one by one (Streamable HTTP).
    pub fn per_request(tasks: Tasks) -> Self {
        Self {
            tasks,
            caller: Caller::PerRequest,
        }
    }

    /// Serves MCP on stdin and stdout until the client closes them.
    pub async fn serve_stdio(self) -> Result<(), Error> {
        let running = self.serve(rmcp::transport::stdio()).await.map_err(Box::new)?;
        running.waiting().await?;
        Ok(())
    }

    async fn user(&self, extensions: &rmcp::model::Extensions) -> Result<Arc<str>, Unauthenticated> {
        match &self.caller {
            Caller::Session { accounts, token } => match accounts.session(token).await {
                Ok(signed) => Ok(signed.user.id.into()),
                Err(err @ auth::Error::Database(_)) => {
                    tracing::warn!(error = %err, "MCP session check failed");
                    Err(Unauthenticated(format!("{}: {err}", err.code())))
                }
                Err(err) => Err(Unauthenticated(format!("{}: {err}", err.code()))),
            },
            Caller::PerRequest => extensions
                .get::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<RequestUser>())
                .map(|user| user.0.clone())
                // The HTTP transport refuses unauthenticated requests first; this is the backstop.
                .ok_or_else(|| Unauthenticated("UNAUTHORIZED: the request carries no signed-in user.".to_owned())),
        }
    }
}

/// Runs one tool for `user_id`. Failures, an unknown tool included, are tool
/// results with `isError` and the code in the text.
#[tracing::instrument(name = "mcp.call", skip_all, fields(tool = %name))]
pub async fn call(tasks: &Tasks, user_id: &str, name: &str, arguments: Option<JsonObject>) -> CallToolResult {
    let arguments = arguments.unwrap_or_default();
    if let Some(named) = IDENTITY_ARGUMENTS.iter().find(|key| arguments.contains_key(**key)) {
        let message = format!("{name} acts for the signed-in user only; remove the {named:?} argument.");
        return CallToolResult::error(vec![ContentBlock::text(format!(
            "{}: {message}",
            ErrorCode::InvalidRequest.as_str()
        ))]);
    }
    let call = ToolCall {
        id: String::new(),
        name: name.to_owned(),
        arguments: Value::Object(arguments).to_string(),
    };
    let outcome = tools::execute(tasks, user_id, &call).await;
    if outcome.succeeded {
        let mut result = CallToolResult::structured(structured(outcome.result));
        result.content.insert(0, ContentBlock::text(outcome.summary));
        return result;
    }
    let text = match serde_json::from_value::<ToolFailure>(outcome.result.clone()) {
        Ok(failure) => format!("{}: {}", failure.error.code.as_str(), outcome.summary),
        Err(_) => outcome.summary,
    };
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = Some(outcome.result);
    result
}

/// A resource's contents for `user_id`: [`OPEN_TASKS`] is what list_tasks returns for pending tasks.
pub async fn read(tasks: &Tasks, user_id: &str, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    if uri != OPEN_TASKS {
        return Err(ErrorData::resource_not_found(
            format!("There is no resource {uri:?}."),
            None,
        ));
    }
    let call = ToolCall {
        id: String::new(),
        name: tools::LIST_TASKS.to_owned(),
        arguments: serde_json::json!({"status": "pending"}).to_string(),
    };
    let outcome = tools::execute(tasks, user_id, &call).await;
    if !outcome.succeeded {
        return Err(ErrorData::internal_error(outcome.summary, None));
    }
    let contents = ResourceContents::text(outcome.result.to_string(), OPEN_TASKS).with_mime_type("application/json");
    Ok(ReadResourceResult::new(vec![contents]))
}

fn open_tasks() -> Resource {
    Resource::new(OPEN_TASKS, "open_tasks")
        .with_title("Open tasks")
        .with_description("The signed-in user's pending tasks, as list_tasks returns them.")
        .with_mime_type("application/json")
}

/// The MCP tool list: [`tools::TOOLS`] with their descriptions, input and output schemas.
pub fn tool_list() -> Vec<Tool> {
    tools::TOOLS.iter().map(mcp_tool).collect()
}

fn mcp_tool(entry: &ToolEntry) -> Tool {
    Tool::new(entry.name, entry.description, object(entry.parameters()))
        .with_raw_output_schema(Arc::new(object(structured_schema(entry.output_schema()))))
}

fn object(schema: Value) -> JsonObject {
    match schema {
        Value::Object(schema) => schema,
        // Every tool's schemas are objects (the tools' tests and tests/mcp.rs pin them).
        _ => JsonObject::new(),
    }
}

/// MCP's structuredContent is an object; a tool whose output is a list (list_tasks) has it under "result".
fn structured(output: Value) -> Value {
    match output {
        Value::Object(_) => output,
        other => serde_json::json!({ "result": other }),
    }
}

/// The schema of [`structured`]'s value.
fn structured_schema(schema: Value) -> Value {
    if schema["type"] == "object" {
        return schema;
    }
    serde_json::json!({"type": "object", "properties": {"result": schema}, "required": ["result"]})
}

impl ServerHandler for TaskServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("tasktalk", env!("CARGO_PKG_VERSION")))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tool_list()))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![open_tasks()]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let user = self
            .user(&context.extensions)
            .await
            .map_err(Unauthenticated::protocol_error)?;
        Ok(read(&self.tasks, &user, &request.uri).await?.into())
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::TOOLS.iter().find(|entry| entry.name == name).map(mcp_tool)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let result = match self.user(&context.extensions).await {
            Ok(user) => call(&self.tasks, &user, &request.name, request.arguments).await,
            Err(refused) => refused.tool_result(),
        };
        Ok(result.into())
    }
}
