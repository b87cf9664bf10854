//! The model providers, one module per wire family.

pub mod offline;
