//! The shape of the core's two busiest domains, checked on the source: no
//! module of `agent/` or `chatkit/` imports one that imports it back (directly
//! or around a loop), and no file of `agent/` grows past a size one reads in a
//! sitting. Paths are read from `use` trees and from code (`super::x::f()`,
//! `crate::agent::x`, `child::f()`); declaring a child (`mod x;`) is not an
//! import, using what it defines is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const DOMAINS: &[&str] = &["agent", "chatkit"];
const MAX_AGENT_FILE_LINES: usize = 600;

type ModulePath = Vec<String>;

struct Module {
    file: PathBuf,
    source: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every module file under the domains, by module path (`agent/offline.rs`
/// and `agent/offline/mod.rs` are both `agent::offline`).
fn modules() -> BTreeMap<ModulePath, Module> {
    let src = src_dir();
    let mut found = BTreeMap::new();
    for domain in DOMAINS {
        let mut pending = vec![src.join(domain)];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "rs") {
                    continue;
                }
                let relative = path.strip_prefix(&src).expect("under src").with_extension("");
                let mut module: ModulePath = relative.iter().map(|s| s.to_string_lossy().into_owned()).collect();
                if module.last().is_some_and(|last| last == "mod") {
                    module.pop();
                }
                let source = std::fs::read_to_string(&path).expect("readable source");
                found.insert(module, Module { file: path, source });
            }
        }
    }
    for domain in DOMAINS {
        assert!(
            found.contains_key(&vec![domain.to_string()]),
            "core/src/{domain}/mod.rs or core/src/{domain}.rs is missing"
        );
    }
    found
}

/// The source without comments and without its inline `#[cfg(test)] mod tests { … }`
/// (tests reach into their parent by design; they are not part of the design).
fn code_of(source: &str) -> String {
    let mut code = String::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod tests {"))
        {
            break;
        }
        let without_comment = match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        code.push_str(without_comment);
        code.push('\n');
    }
    code
}

#[derive(Debug, PartialEq, Clone)]
enum Token {
    Ident(String),
    Sep,
    Open,
    Close,
    Comma,
    Other,
}

fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if c == '"' {
            // Skip string literals: their words are not paths.
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token::Sep);
            i += 1;
        } else if c == '{' {
            out.push(Token::Open);
        } else if c == '}' {
            out.push(Token::Close);
        } else if c == ',' {
            out.push(Token::Comma);
        } else if !c.is_whitespace() {
            out.push(Token::Other);
        }
        i += 1;
    }
    out
}

/// Every path a module names: `use` trees expanded, and `a::b::c` in code.
fn paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokens(code);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == Token::Ident("use".into()) {
            i = use_tree(&tokens, i + 1, Vec::new(), &mut found);
            continue;
        }
        if let Token::Ident(first) = &tokens[i] {
            let mut path = vec![first.clone()];
            let mut j = i + 1;
            while tokens.get(j) == Some(&Token::Sep) {
                match tokens.get(j + 1) {
                    Some(Token::Ident(next)) => path.push(next.clone()),
                    _ => break,
                }
                j += 2;
            }
            if path.len() > 1 {
                found.push(path);
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    found
}

/// Expands one `use` tree starting at `i` under `prefix`; returns where it ends.
fn use_tree(tokens: &[Token], mut i: usize, prefix: Vec<String>, found: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix;
    loop {
        match tokens.get(i) {
            Some(Token::Ident(word)) if word == "as" => {
                i += 2;
                found.push(path);
                return i;
            }
            Some(Token::Ident(word)) => {
                path.push(word.clone());
                i += 1;
            }
            Some(Token::Sep) => i += 1,
            Some(Token::Open) => {
                i += 1;
                loop {
                    if tokens.get(i) == Some(&Token::Close) {
                        return i + 1;
                    }
                    i = use_tree(tokens, i, path.clone(), found);
                    match tokens.get(i) {
                        Some(Token::Comma) => i += 1,
                        Some(Token::Close) => return i + 1,
                        _ => return i,
                    }
                }
            }
            _ => {
                // `*`, `,`, `}` or `;`: the path so far is what is imported.
                if tokens.get(i) == Some(&Token::Other) {
                    i += 1;
                }
                if !path.is_empty() {
                    found.push(path);
                }
                return i;
            }
        }
    }
}

/// The module inside the domains that `path`, written in `from`, reaches.
fn resolve(from: &ModulePath, path: &[String], known: &BTreeSet<ModulePath>) -> Option<ModulePath> {
    let mut at = from.clone();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            at.clear();
            rest = &path[1..];
        }
        Some("self") => rest = &path[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                at.pop();
                rest = &rest[1..];
            }
        }
        Some(first) => {
            // A relative path starts at a child of this module, or is no module path at all.
            let mut child = from.clone();
            child.push(first.to_string());
            if !known.contains(&child) {
                return None;
            }
        }
        None => return None,
    }
    for segment in rest {
        let mut next = at.clone();
        next.push(segment.clone());
        if known.contains(&next) {
            at = next;
        } else {
            break;
        }
    }
    (known.contains(&at) && at != *from).then_some(at)
}

fn imports() -> BTreeMap<ModulePath, BTreeSet<ModulePath>> {
    let modules = modules();
    let known: BTreeSet<ModulePath> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, file)| {
            let targets = paths(&code_of(&file.source))
                .iter()
                .filter_map(|path| resolve(module, path, &known))
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

fn name(module: &ModulePath) -> String {
    module.join("::")
}

/// A loop of imports through `start`, if there is one.
fn loop_through(start: &ModulePath, graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Option<Vec<ModulePath>> {
    let mut stack = vec![vec![start.clone()]];
    let mut seen = BTreeSet::new();
    while let Some(route) = stack.pop() {
        let last = route.last().expect("a route has a start");
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = route.clone();
                cycle.push(start.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = route.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_of_agent_or_chatkit_imports_one_that_imports_it_back() {
    let graph = imports();
    let loops: BTreeSet<String> = graph
        .keys()
        .filter_map(|module| loop_through(module, &graph))
        .map(|cycle| cycle.iter().map(name).collect::<Vec<_>>().join(" -> "))
        .collect();
    assert!(
        loops.is_empty(),
        "modules that import each other (a child that needs its parent's type should import it from the sibling \
         module that defines it):\n{}",
        loops.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn no_file_of_agent_is_longer_than_one_reads_in_a_sitting() {
    let long: Vec<String> = modules()
        .values()
        .filter(|module| module.file.components().any(|c| c.as_os_str() == "agent"))
        .filter_map(|module| {
            let lines = module.source.lines().count();
            (lines > MAX_AGENT_FILE_LINES).then(|| format!("{} ({lines} lines)", module.file.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_AGENT_FILE_LINES} lines: {long:?}");
}

#[test]
fn the_checker_sees_an_import_loop_between_a_parent_and_its_child() {
    let known: BTreeSet<ModulePath> = [
        vec!["agent".to_string()],
        vec!["agent".to_string(), "offline".to_string()],
    ]
    .into_iter()
    .collect();
    let parent = vec!["agent".to_string()];
    let child = vec!["agent".to_string(), "offline".to_string()];
    let from_parent: Vec<_> = paths(&code_of("pub use offline::{OfflineAssistant, plan as p};\n"))
        .iter()
        .filter_map(|p| resolve(&parent, p, &known))
        .collect();
    let from_child: Vec<_> = paths(&code_of(
        "use super::{Agent, provider::X};\nfn f() { crate::agent::MAX_STEPS; }\n// super::ignored\n",
    ))
    .iter()
    .filter_map(|p| resolve(&child, p, &known))
    .collect();
    assert_eq!(from_parent, [child.clone(), child.clone()]);
    assert_eq!(from_child, [parent.clone(), parent.clone(), parent.clone()]);
    let graph: BTreeMap<_, BTreeSet<_>> = [
        (parent.clone(), from_parent.into_iter().collect()),
        (child.clone(), from_child.into_iter().collect()),
    ]
    .into_iter()
    .collect();
    assert_eq!(loop_through(&parent, &graph), Some(vec![parent.clone(), child, parent]));
}
