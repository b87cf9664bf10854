//! Tasktalk's domain logic, free of any GUI or transport: storage on SQLite or
//! PostgreSQL, Better-Auth-compatible accounts, JWTs and tasks. The desktop
//! shell and the headless server are thin transports over this crate.

pub mod agent;
pub mod auth;
pub mod calendar;
pub mod chatkit;
pub mod db;
pub mod export;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod private;
pub mod random;
pub mod secret;
pub mod services;
pub mod sse;
pub mod tasks;
pub mod timestamp;
pub mod token;
pub mod when;

#[cfg(feature = "test-support")]
pub mod replay;
#[cfg(feature = "test-support")]
pub mod testing;

pub use secret::Secret;
pub use services::Services;
pub use timestamp::Timestamp;
