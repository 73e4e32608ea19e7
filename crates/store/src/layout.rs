//! The data directory's layout: which file holds what (meta file, lock file,
//! log segments, snapshots), their names, the meta file's contents, and the
//! small filesystem steps every writer shares (an atomic replace, a directory
//! fsync).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// The store format this build writes and reads: the meta file, the segment
/// framing (`frame`) and the snapshot file header (`snapshot`).
pub const FORMAT_VERSION: u64 = 2;

/// Written once when the directory is created: the format and the seed.
pub const META_FILE: &str = "meta";
/// Held (an OS file lock) by the process that has the directory open.
pub const LOCK_FILE: &str = "lock";
/// The command log: `<first sequence number>.log` segment files.
pub const LOG_DIR: &str = "log";
/// `<last record covered>.snap` files; the highest is the current one.
pub const SNAPSHOT_DIR: &str = "snapshot";
/// Store format 1's single redb database. This format cannot read it.
pub const LEGACY_FILE: &str = "fifowin.redb";

pub(crate) const SEGMENT_EXT: &str = "log";
pub(crate) const SNAPSHOT_EXT: &str = "snap";
/// The next segment, zero-filled ahead of time (`spare.tmp` while it is written).
pub(crate) const SPARE: &str = "spare";
pub(crate) const TMP_EXT: &str = "tmp";

/// Numbers in file names are zero-padded to this width, so names sort as numbers.
const NUMBER_WIDTH: usize = 20;

pub(crate) fn segment_path(dir: &Path, first: u64) -> PathBuf {
    dir.join(LOG_DIR)
        .join(format!("{first:0NUMBER_WIDTH$}.{SEGMENT_EXT}"))
}

pub(crate) fn snapshot_path(dir: &Path, covers: u64) -> PathBuf {
    dir.join(SNAPSHOT_DIR)
        .join(format!("{covers:0NUMBER_WIDTH$}.{SNAPSHOT_EXT}"))
}

pub(crate) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// The files in `sub` named `<number>.<ext>`, by number. Other names are
/// left alone (they are not the store's).
pub(crate) fn numbered(sub: &Path, ext: &str) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let entries = match std::fs::read_dir(sub) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(sub)(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(io_error(sub))?.path();
        let number = path
            .extension()
            .filter(|e| *e == ext)
            .and_then(|_| path.file_stem()?.to_str()?.parse::<u64>().ok());
        if let Some(number) = number {
            files.push((number, path));
        }
    }
    files.sort();
    Ok(files)
}

/// Makes a rename or a new file in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))
}

/// Replaces `path` with `bytes` so that a crash leaves the old file or the new
/// one, never a mix: a temporary file, fsynced, renamed over it, and the
/// directory fsynced.
pub(crate) fn write_atomically(path: &Path, parts: &[&[u8]]) -> Result<(), StoreError> {
    let tmp = write_tmp(path, parts)?;
    std::fs::rename(&tmp, path).map_err(io_error(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Writes `parts` to `path`'s temporary sibling (`<name>.tmp`) and fsyncs it;
/// returns that sibling for the caller to rename into place when it may. A
/// file under its real name is then always whole.
pub(crate) fn write_tmp(path: &Path, parts: &[&[u8]]) -> Result<PathBuf, StoreError> {
    let tmp = path.with_extension(TMP_EXT);
    let mut file = std::fs::File::create(&tmp).map_err(io_error(&tmp))?;
    for part in parts {
        file.write_all(part).map_err(io_error(&tmp))?;
    }
    file.sync_all().map_err(io_error(&tmp))?;
    Ok(tmp)
}

/// What the meta file says.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) format: u64,
    pub(crate) seed: u64,
}

const META_HEADER: &str = "fifowin data directory";

impl Meta {
    /// A few lines of text, so `cat meta` tells an operator what the directory is.
    pub(crate) fn encode(&self) -> String {
        format!(
            "{META_HEADER}\nformat {}\nseed {}\n",
            self.format, self.seed
        )
    }

    /// Reads `path`; another format is [`StoreError::Version`], anything
    /// unreadable [`StoreError::Corrupt`].
    pub(crate) fn read(path: &Path) -> Result<Meta, StoreError> {
        let text = std::fs::read(path).map_err(io_error(path))?;
        let corrupt = |problem: &str| StoreError::Corrupt {
            path: path.to_path_buf(),
            problem: problem.to_string(),
        };
        let text = std::str::from_utf8(&text).map_err(|_| corrupt("not a fifowin meta file"))?;
        let mut lines = text.lines();
        if lines.next() != Some(META_HEADER) {
            return Err(corrupt("not a fifowin meta file"));
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
                .ok_or_else(|| corrupt(&format!("its {name} line is missing or not a number")))
        };
        let format = field("format")?;
        if format != FORMAT_VERSION {
            return Err(StoreError::Version {
                path: path.to_path_buf(),
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        let seed = field("seed")?;
        Ok(Meta { format, seed })
    }
}

/// Store format 1's database in `dir`: an error saying what to do with it.
pub(crate) fn refuse_legacy(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(LEGACY_FILE);
    if path.exists() {
        return Err(StoreError::OldFormat { path });
    }
    Ok(())
}
