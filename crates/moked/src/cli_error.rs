//! The errors a subcommand can end with, and their exit codes.

use std::fmt;
use std::path::{Path, PathBuf};

/// How a subcommand failed. Input errors exit with 2, everything else with 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A command-line option has a value that cannot be used.
    #[error("option --{option}: {message}")]
    Option {
        /// The option's long name, without the dashes.
        option: &'static str,
        /// What is wrong with its value.
        message: String,
    },
    /// A file's content is wrong at a known place.
    #[error("{location}: {message}")]
    Input {
        /// Where in which file.
        location: Location,
        /// What is wrong there.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Anything else: a failure that is not the user's input.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Option { .. } | CliError::Input { .. } | CliError::Io { .. } => 2,
            CliError::Internal(_) => 1,
        }
    }

    /// A bad value for `--option`.
    pub fn option(option: &'static str, message: impl fmt::Display) -> CliError {
        CliError::Option {
            option,
            message: message.to_string(),
        }
    }

    /// A file that could not be read or written.
    pub fn io(path: &Path, source: std::io::Error) -> CliError {
        CliError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A place in an input file: the file, and where known the line and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub path: PathBuf,
    /// The 1-based line, if known.
    pub line: Option<usize>,
    /// The field (column, key or dotted path), if known.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        Ok(())
    }
}

/// Reads a whole file as UTF-8 text, as a [`CliError::Io`] on failure.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::io(path, source))
}

/// Writes a whole file, as a [`CliError::Io`] on failure.
pub fn write_text(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|source| CliError::io(path, source))
}
