// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    // `tasktalk mcp`: the tasks over MCP for an MCP client, with no window.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|arg| arg == tasktalk::mcp::SUBCOMMAND)
    {
        return tasktalk::mcp::run();
    }
    tasktalk::run();
    ExitCode::SUCCESS
}
