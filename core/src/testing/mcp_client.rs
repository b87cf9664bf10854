//! A minimal MCP client for tests of the stdio servers.

use std::io::Write;
use std::process::Command;

use serde_json::Value;

/// An MCP server on a child's stdio (`tasktalk-server mcp`, `tasktalk mcp`),
/// spoken to one JSON-RPC line at a time, as an MCP client does.
#[derive(Debug)]
pub struct McpClient {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    lines: std::sync::mpsc::Receiver<String>,
    next_id: u64,
}

impl McpClient {
    /// Started and initialized.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", command.get_program().to_string_lossy()));
        let stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (sender, lines) = std::sync::mpsc::channel();
        // A thread, so a server that never answers fails the test instead of hanging it.
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut mcp = Self {
            child,
            stdin,
            lines,
            next_id: 0,
        };
        let info = mcp.request(
            "initialize",
            serde_json::json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "cli-test", "version": "1"}}),
        );
        assert_eq!(info["serverInfo"]["name"], "tasktalk", "{info}");
        assert!(info["capabilities"]["tools"].is_object(), "{info}");
        mcp.send(&serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        mcp
    }

    pub fn send(&mut self, message: &Value) {
        writeln!(self.stdin, "{message}").unwrap_or_else(|e| panic!("write to mcp: {e}"));
    }

    /// The result of one request; every line on stdout must be JSON-RPC.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self.lines.recv_timeout(std::time::Duration::from_secs(20));
            let line = line.unwrap_or_else(|e| panic!("no answer to {method}: {e}"));
            let message: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout is not JSON-RPC ({e}): {line}"));
            if message["id"] == id {
                return message
                    .get("result")
                    .cloned()
                    .unwrap_or_else(|| panic!("{method} failed: {message}"));
            }
        }
    }

    pub fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", serde_json::json!({"name": name, "arguments": arguments}))
    }
}

impl Drop for McpClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
