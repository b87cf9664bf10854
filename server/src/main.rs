//! `tasktalk-server`: the headless transport over tasktalk-core.

mod admin;
mod export;
mod failure;
mod http;
mod options;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = admin::Cli::parse();
    // Logs go to stderr so stdout stays machine-readable; quiet unless RUST_LOG says otherwise.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            return fail(&failure::Failure::Refused(format!("could not start: {err}")));
        }
    };
    match runtime.block_on(admin::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure),
    }
}

fn fail(failure: &failure::Failure) -> ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "error: {}", failure.message());
    failure.exit_code()
}
