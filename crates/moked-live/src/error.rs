//! What a live-center call can refuse.

use moked_store::StoreError;

/// Why a live-center call failed. Nothing changed unless said otherwise.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// No such record in this organization (chat, queue, agent, ...).
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for.
        entity: &'static str,
    },
    /// Bad input, naming the field.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The request does not fit the current state (an offer already taken,
    /// a chat already ended, ...).
    #[error("{detail}")]
    Conflict {
        /// What is in the way.
        detail: String,
    },
    /// The store failed; the live state was rebuilt from what is durable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The live center has stopped.
    #[error("the live center has stopped")]
    Stopped,
}

impl LiveError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> LiveError {
        LiveError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn conflict(detail: impl Into<String>) -> LiveError {
        LiveError::Conflict {
            detail: detail.into(),
        }
    }
}
