//! The UI's bindings, ui/src/bindings.ts: every command of commands/list.rs
//! as a typed function, and the TypeScript of the types they carry (ts-rs),
//! written from the Rust side and checked in. These tests fail when the file
//! is out of date or the main window's capability and the list disagree, and
//! do not compile when the list and a command's signature do.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use tasktalk_core::agent::ProviderKind;
use tasktalk_core::export::{Progress, Summary};
use tasktalk_core::tasks::{DueFilter, Priority, Sort, StatusFilter, Task, TaskId};
use tauri::test::MockRuntime;
use ts_rs::{Config, TS, TypeVisitor};

use crate::commands::auth::{AuthToken, SessionInfo};
use crate::commands::chat::{ChatkitChunk, ChatkitHead};
use crate::commands::data::{ExportFormat, Exported};
use crate::commands::quick_add::QuickAdded;
use crate::commands::settings::{AppInfo, Saved};
use crate::commands::tasks::DueCounts;
use crate::error::ErrorKind;
use crate::settings::{Settings, SettingsUpdate};

const BINDINGS: &str = "ui/src/bindings.ts";
const CAPABILITY: &str = "src-tauri/capabilities/main-window.json";
const QUICK_ADD_CAPABILITY: &str = "src-tauri/capabilities/quick-add.json";
/// Everything the quick-add window may do: add from a line, hide itself.
const QUICK_ADD_PERMISSIONS: [&str; 2] = ["allow-quick-add", "core:window:allow-hide"];
const REGENERATE: &str = "TASKTALK_WRITE_BINDINGS=1 cargo test -p tasktalk --lib bindings";

/// The declarations of every named type a command carries, by name.
struct Declarations<'a> {
    cfg: &'a Config,
    found: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_some() {
            let name = T::ident(self.cfg);
            if self.found.contains_key(&name) {
                return;
            }
            let docs = T::docs().unwrap_or_default();
            self.found.insert(name, format!("{docs}export {}\n", T::decl(self.cfg)));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// A type commands/list.rs names: its TypeScript, and the type the command's
/// Rust signature has in its place.
trait Listed {
    type Rust;
    fn typescript(types: &mut Declarations) -> String;
}

impl<T: TS + 'static> Listed for T {
    type Rust = T;

    fn typescript(types: &mut Declarations) -> String {
        types.visit::<T>();
        T::name(types.cfg)
    }
}

/// Tauri's `Channel<T>`, which the UI imports from `@tauri-apps/api/core`
/// (the TypeScript of a foreign type cannot be derived).
struct Channel<T>(PhantomData<T>);

impl<T: TS + 'static> Listed for Channel<T> {
    type Rust = tauri::ipc::Channel<T>;

    fn typescript(types: &mut Declarations) -> String {
        types.visit::<T>();
        format!("Channel<{}>", T::name(types.cfg))
    }
}

/// What Tauri passes a command besides the UI's arguments. A command generic
/// over the runtime is checked on the mock one.
trait Injected {}

impl Injected for tauri::AppHandle<MockRuntime> {}

impl<T: Send + Sync + 'static> Injected for tauri::State<'_, T> {}

/// A command that takes `Args` from the UI after what Tauri injects (`I`)
/// and resolves to `Out`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not take or return what src-tauri/src/commands/list.rs says",
    note = "the list gives the arguments the UI sends, in the order of the command's parameters after its \
            State and AppHandle, and the Ok type of its Result"
)]
trait Signature<Args, Out, I> {}

macro_rules! signature {
    ([$($injected:ident)*] [$($arg:ident)*]) => {
        impl<F, Fut, Out, $($injected: Injected,)* $($arg,)*> Signature<($($arg,)*), Out, ($($injected,)*)> for F
        where
            F: Fn($($injected,)* $($arg,)*) -> Fut,
            Fut: Future<Output = crate::Result<Out>>,
        {
        }
    };
}

macro_rules! signatures {
    ($($args:tt)*) => {
        $(signature!([] $args); signature!([I1] $args); signature!([I1 I2] $args);)*
    };
}

signatures!([] [A1] [A1 A2] [A1 A2 A3] [A1 A2 A3 A4] [A1 A2 A3 A4 A5] [A1 A2 A3 A4 A5 A6]);

/// Compiles only if `command` takes and returns what the list says.
fn signature<Args, Out, I, F: Signature<Args, Out, I>>(_command: F) {}

/// `request_id` → `requestId`: Tauri reads a command's arguments in camelCase.
fn camel(name: &str) -> String {
    let mut parts = name.split('_');
    let first = parts.next().unwrap_or_default().to_owned();
    parts.fold(first, |mut out, part| {
        let mut chars = part.chars();
        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        out.push_str(chars.as_str());
        out
    })
}

/// One command's entry of the `commands` object.
fn command(name: &str, args: &[(&str, String)], result: &str) -> String {
    let params = args.iter().map(|(arg, ty)| format!("{}: {ty}", camel(arg)));
    let params = params.collect::<Vec<_>>().join(", ");
    let sent = args.iter().map(|(arg, _)| camel(arg)).collect::<Vec<_>>();
    let sent = if sent.is_empty() {
        String::new()
    } else {
        format!(", {{ {} }}", sent.join(", "))
    };
    format!("    {}: ({params}) => call<{result}>(\"{name}\"{sent}),\n", camel(name))
}

/// The whole of ui/src/bindings.ts.
fn typescript() -> String {
    let cfg = Config::new();
    let mut types = Declarations {
        cfg: &cfg,
        found: BTreeMap::new(),
    };
    let mut names = Vec::new();
    let mut functions = String::new();
    macro_rules! app_commands {
        ($($module:ident::$command:ident($($arg:ident: $type:ty),*) -> $result:ty;)*) => {{$(
            let args = [$((stringify!($arg), <$type as Listed>::typescript(&mut types))),*];
            let result = <$result as Listed>::typescript(&mut types);
            names.push(stringify!($command));
            functions.push_str(&command(stringify!($command), &args, &result));
        )*}};
    }
    include!("commands/list.rs");
    types.visit::<ErrorKind>();
    let declarations = types.found.into_values().collect::<Vec<_>>().join("\n");
    let names = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(" | ");
    let providers: String = ProviderKind::ALL
        .iter()
        .map(|kind| {
            let text = |s: &str| serde_json::Value::from(s).to_string();
            format!(
                "  {{ kind: {}, label: {}, modelHint: {} }},\n",
                text(kind.id()),
                text(kind.label()),
                text(kind.model_hint())
            )
        })
        .collect();
    format!(
        "// Generated from src-tauri/src/commands/list.rs and the commands' Rust types\n\
         // (src-tauri/src/bindings.rs): do not edit. Regenerate with\n\
         // {REGENERATE}\n\n\
         import type {{ Channel }} from \"@tauri-apps/api/core\";\n\n\
         {declarations}\n\
         /** The name of every command the UI may call. */\n\
         export type Command = {names};\n\n\
         /** Every provider, in the order the settings page lists them (core's `ProviderKind::ALL`). */\n\
         export const PROVIDERS: readonly {{ kind: ProviderKind; label: string; modelHint: string }}[] = [\n{providers}];\n\n\
         /** Sends one command and resolves to its result. */\n\
         export type Call = <T>(command: Command, args?: Record<string, unknown>) => Promise<T>;\n\n\
         /** Every command as a typed function over `call`. */\n\
         export function commands(call: Call) {{\n  return {{\n{functions}  }};\n}}\n"
    )
}

fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn the_checked_in_bindings_are_generated_from_the_commands() {
    let generated = typescript();
    let path = root(BINDINGS);
    if std::env::var_os("TASKTALK_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("could not write {BINDINGS}: {e}"));
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{BINDINGS} is out of date with the Rust commands and types: regenerate it with\n  {REGENERATE}\nand \
         commit it"
    );
}

#[test]
fn the_list_says_what_each_command_takes_and_returns() {
    macro_rules! app_commands {
        ($($module:ident::$command:ident($($arg:ident: $type:ty),*) -> $result:ty;)*) => {{$(
            signature::<($(<$type as Listed>::Rust,)*), <$result as Listed>::Rust, _, _>(
                crate::commands::$module::$command,
            );
        )*}};
    }
    include!("commands/list.rs");
}

/// The permissions a capability file grants.
fn permissions(path: &str) -> Vec<String> {
    let capability: serde_json::Value = std::fs::read_to_string(root(path))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    capability["permissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_window_may_call_exactly_the_listed_commands_it_uses() {
    let mut listed = BTreeSet::new();
    macro_rules! app_commands {
        ($($module:ident::$command:ident($($arg:ident: $type:ty),*) -> $result:ty;)*) => {{
            $(listed.insert(format!("allow-{}", stringify!($command).replace('_', "-")));)*
        }};
    }
    include!("commands/list.rs");
    let quick_add = permissions(QUICK_ADD_CAPABILITY);
    assert_eq!(
        quick_add, QUICK_ADD_PERMISSIONS,
        "{QUICK_ADD_CAPABILITY} grants more than quick add uses"
    );
    let main: BTreeSet<String> = permissions(CAPABILITY)
        .into_iter()
        .filter(|p| p.starts_with("allow-"))
        .collect();
    let quick_add: BTreeSet<String> = quick_add.into_iter().filter(|p| p.starts_with("allow-")).collect();
    assert!(
        main.is_disjoint(&quick_add),
        "the main window has no use for quick add's command"
    );
    assert_eq!(
        main.union(&quick_add).cloned().collect::<BTreeSet<_>>(),
        listed,
        "{CAPABILITY} and {QUICK_ADD_CAPABILITY} must allow each command of src-tauri/src/commands/list.rs, and only \
         those"
    );
}

#[test]
fn the_main_window_may_open_only_http_https_and_mailto_links() {
    let capability: serde_json::Value = std::fs::read_to_string(root(CAPABILITY))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let opener: Vec<&serde_json::Value> = capability["permissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p.as_str()
                .or_else(|| p["identifier"].as_str())
                .is_some_and(|id| id.starts_with("opener:"))
        })
        .collect();
    // Not opener:default, which adds tel: links and revealing files.
    assert_eq!(
        opener,
        [&serde_json::json!({
            "identifier": "opener:allow-open-url",
            "allow": [{ "url": "http://*" }, { "url": "https://*" }, { "url": "mailto:*" }]
        })],
        "{CAPABILITY}: links in chat messages open in the system's browser or mail app, nothing else"
    );
}
