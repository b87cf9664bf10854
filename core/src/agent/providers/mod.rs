//! The model providers, one module per wire family, and the one list that
//! names them ([`kind::ProviderKind`]).
//!
//! Another service that speaks Chat Completions is a variant of
//! `ProviderKind` with its defaults, label and hint (`kind.rs`), then the
//! matches the compiler points to. Another wire family is a module here
//! beside `openai/` that implements `Provider`, and its arm in
//! `ProviderSettings::build` (`agent/settings.rs`).

pub mod kind;
pub mod offline;
pub mod openai;
