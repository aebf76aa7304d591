//! How the sqlx backends report database errors as [`StoreError`]s: the
//! same constraint violation means the same error on SQLite and PostgreSQL.

use crate::error::StoreError;
use sqlx::error::ErrorKind;

/// Maps a failed statement about `entity` to a typed error: a unique
/// violation is a conflict, a broken reference (including one to another
/// organization's row) is a missing record, a failed check is invalid input.
pub fn from_sqlx(entity: &'static str, err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return StoreError::Conflict {
                    entity,
                    detail: db.message().to_owned(),
                };
            }
            ErrorKind::ForeignKeyViolation => {
                return StoreError::NotFound {
                    entity: "referenced record",
                };
            }
            ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                return StoreError::invalid(entity, db.message().to_owned());
            }
            _ => {}
        }
    }
    if let sqlx::Error::RowNotFound = err {
        return StoreError::NotFound { entity };
    }
    StoreError::Backend(Box::new(err))
}

/// Maps an error where no constraint is involved (connecting, migrating,
/// committing).
pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(err))
}
