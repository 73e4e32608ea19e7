//! `fifowin serve --ready-file PATH`: tells a launcher that the server listens, and
//! where, without it parsing log lines. The file appears whole or not at all (a
//! temporary file beside it, renamed into place), and only once the socket is bound.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The ready file's JSON: `{"url", "port", "pid", "version"}`.
pub(crate) fn contents(local: SocketAddr) -> String {
    serde_json::json!({
        "url": format!("http://{local}"),
        "port": local.port(),
        "pid": std::process::id(),
        "version": env!("CARGO_PKG_VERSION"),
    })
    .to_string()
}

/// A written ready file; removed again when the server stops, so a stale file
/// never announces a server that is gone.
pub(crate) struct ReadyFile {
    path: PathBuf,
}

impl ReadyFile {
    /// Writes `PATH.<pid>.tmp` and renames it to `path`.
    pub(crate) fn write(path: &Path, local: SocketAddr) -> anyhow::Result<ReadyFile> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let written =
            std::fs::write(&tmp, contents(local)).and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.with_context(|| format!("writing the ready file {}", path.display()))?;
        Ok(ReadyFile {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for ReadyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
