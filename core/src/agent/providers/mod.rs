//! The model providers, one module per wire family, and the one list that
//! names them ([`kind::ProviderKind`]).

pub mod kind;
pub mod openai;
