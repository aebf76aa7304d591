//! The typed errors every backend reports, whatever its database.

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in this organization (records of other organizations
    /// are reported as missing too, so ids cannot be probed across tenants).
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for.
        entity: &'static str,
    },
    /// The write would duplicate a unique value.
    #[error("{entity} already exists: {detail}")]
    Conflict {
        /// What kind of record.
        entity: &'static str,
        /// Which value clashed, as far as the backend tells.
        detail: String,
    },
    /// The input breaks a rule of the data model.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The database failed or returned data the model cannot represent.
    #[error("storage backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// An [`StoreError::Invalid`] error.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// A [`StoreError::Backend`] error for a stored value the model rejects.
    pub fn corrupt(what: impl Into<String>) -> StoreError {
        StoreError::Backend(format!("stored data is not valid: {}", what.into()).into())
    }
}

/// The result of a storage operation.
pub type StoreResult<T> = Result<T, StoreError>;
