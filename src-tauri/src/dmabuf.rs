//! `tasktalk --disable-dmabuf`: with some GPU drivers WebKitGTK's DMA-BUF
//! renderer leaves the window blank; `WEBKIT_DISABLE_DMABUF_RENDERER=1`
//! turns it off. WebKit reads the variable when it starts, so it must be in
//! the environment before the first web view; setting it in a running
//! process is `unsafe` (another thread may be reading the environment),
//! which this crate forbids. So the flag starts the app again in place
//! (exec, same process id) with the variable set.
// Only Linux restarts; the rest is there for the tests everywhere.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::ffi::{OsStr, OsString};

const FLAG: &str = "--disable-dmabuf";
const VARIABLE: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Whether the arguments (without the program's name) ask for the variable
/// and the environment does not have it at 1 yet.
fn needs_restart(args: &[OsString], variable: Option<&OsStr>) -> bool {
    variable != Some(OsStr::new("1")) && args.iter().any(|arg| arg == FLAG)
}

/// Starts the app again with the variable set when the flag asks for it;
/// returns when there is nothing to do or that failed (then the app starts
/// as it is).
#[cfg(target_os = "linux")]
pub fn apply() {
    use std::os::unix::process::CommandExt;

    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if !needs_restart(&args, std::env::var_os(VARIABLE).as_deref()) {
        return;
    }
    if let Ok(program) = std::env::current_exe() {
        // Returns only on failure; no logger is set up yet to say so, and
        // the window may still work.
        let _failed = std::process::Command::new(program).args(args).env(VARIABLE, "1").exec();
    }
}

/// DMA-BUF is WebKitGTK's, on Linux only: elsewhere the flag does nothing.
#[cfg(not(target_os = "linux"))]
pub fn apply() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_restarts_once_with_the_variable_set() {
        assert!(needs_restart(&args(&["--disable-dmabuf"]), None));
        assert!(needs_restart(&args(&["--another", "--disable-dmabuf"]), None));
        assert!(needs_restart(&args(&["--disable-dmabuf"]), Some(OsStr::new("0"))));
        // After the restart the variable is there: no second one.
        assert!(!needs_restart(&args(&["--disable-dmabuf"]), Some(OsStr::new("1"))));
        assert!(!needs_restart(&args(&[]), None));
        assert!(!needs_restart(&args(&["--disable-dmabuf=0", "disable-dmabuf"]), None));
    }
}
