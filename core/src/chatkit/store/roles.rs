//! `messages.role`, the web back end's column, as both sides read and write it.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArgumentsBuffer, SqliteTypeInfo};
use sqlx::{Encode, Type};

/// `messages.role` as the web back end's SQLAlchemy enum stores it: the
/// member names. Read in either case, written in upper case.
pub(super) const USER_ROLE: &str = "USER";
pub(super) const ASSISTANT_ROLE: &str = "ASSISTANT";

/// A message role as the web back end writes it.
pub(crate) fn web_role(role: &str) -> WebRole {
    WebRole(if role == "user" { USER_ROLE } else { ASSISTANT_ROLE })
}

/// `messages.role` as bound: text in SQLite; in PostgreSQL of no declared type,
/// so that the server takes the column's, whether a `varchar` or the enum type
/// SQLAlchemy creates for the web back end's roles (whose labels these are).
pub(crate) struct WebRole(&'static str);

impl Type<Postgres> for WebRole {
    fn type_info() -> PgTypeInfo {
        // OID 0: "unspecified", inferred by the server from the column.
        PgTypeInfo::with_oid(Oid(0))
    }
}

impl Encode<'_, Postgres> for WebRole {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // The binary form of both text and an enum label is its UTF-8 bytes.
        buf.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
}

impl Type<Sqlite> for WebRole {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }
}

impl<'q> Encode<'q, Sqlite> for WebRole {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'q, Sqlite>>::encode(self.0, buf)
    }
}
