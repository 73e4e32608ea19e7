//! The analyzer's error type: every failure names the file, the line when
//! there is one, and the problem, so a CI log points straight at the bad input.

use std::io;
use std::path::Path;

/// Everything that can go wrong between reading the arguments and writing
/// the report. All of it maps to [`crate::EXIT_BAD_INPUT`].
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// A line of an input file could not be understood.
    #[error("{path}:{line}: {problem}")]
    Parse {
        path: String,
        line: usize,
        problem: String,
    },
    /// A whole input file is unusable (empty, unknown format, not UTF-8).
    #[error("{path}: {problem}")]
    Input { path: String, problem: String },
    /// An input file could not be read.
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    /// A command-line value is invalid or the options contradict each other.
    #[error("{arg}: {problem}")]
    Usage { arg: String, problem: String },
    /// The report or a plot could not be written.
    #[error("writing {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },
}

impl AnalyzerError {
    pub(crate) fn parse(path: &Path, line: usize, problem: impl Into<String>) -> Self {
        AnalyzerError::Parse {
            path: path.display().to_string(),
            line,
            problem: problem.into(),
        }
    }

    pub(crate) fn input(path: &Path, problem: impl Into<String>) -> Self {
        AnalyzerError::Input {
            path: path.display().to_string(),
            problem: problem.into(),
        }
    }

    pub(crate) fn usage(arg: &str, problem: impl Into<String>) -> Self {
        AnalyzerError::Usage {
            arg: arg.to_string(),
            problem: problem.into(),
        }
    }

    pub(crate) fn write(path: impl Into<String>, source: io::Error) -> Self {
        AnalyzerError::Write {
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error (always [`crate::EXIT_BAD_INPUT`]).
    pub fn exit_code(&self) -> u8 {
        crate::EXIT_BAD_INPUT
    }
}
