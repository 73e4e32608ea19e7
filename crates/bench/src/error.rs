//! What can stop a benchmark before it reports: a bad endpoint, a server that will
//! not create the queue, an unreadable results file. Request failures during a run
//! are not errors here: they are counted and reported.

use std::path::PathBuf;

/// Why `fifowin bench` could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The endpoint URL cannot be used.
    #[error("endpoint {0}")]
    Endpoint(String),
    /// Creating, filling or inspecting the queue failed.
    #[error("{0}")]
    Setup(String),
    /// The options do not describe a runnable benchmark.
    #[error("{0}")]
    Usage(String),
    /// A results file could not be read or written.
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A socket or runtime error outside the measured requests.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
