//! Reading messages, one module per family of request.

mod add;
mod complete;
mod delete;
mod edit;
mod list;
mod phrases;
mod small_talk;

use super::*;
use crate::tasks::TaskId;

fn add(title: &str) -> Intent {
    Intent::Add {
        title: title.into(),
        description: None,
    }
}

fn add_with(title: &str, description: &str) -> Intent {
    Intent::Add {
        title: title.into(),
        description: Some(description.into()),
    }
}

fn by_title(title: &str) -> Target {
    Target::Title(title.into())
}

fn by_ids(ids: &[TaskId]) -> Target {
    Target::Ids(ids.to_vec())
}

fn rename(target: Target, title: &str) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Title(title.into()),
    }])
}

fn describe(target: Target, description: &str) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Description(description.into()),
    }])
}

fn check(cases: &[(&str, Intent)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(message, expected)| {
            let got = parse(message);
            (got != *expected).then(|| format!("{message:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
