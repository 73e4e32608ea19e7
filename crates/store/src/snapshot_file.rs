//! One snapshot file, `snapshot/<covers>.snap`: a header (magic, store
//! format, the last record covered, the payload's length and CRC-32) and the
//! payload; written to a temporary file and fsynced before it is renamed into
//! place, so a snapshot file under its real name is always whole, and one that
//! is not (a disk fault, a hand edit) is an error naming it.

use std::path::{Path, PathBuf};

use crate::StoreError;
use crate::layout::{self, FORMAT_VERSION, io_error};

const MAGIC: &[u8; 16] = b"fifowin snapshot";
const HEADER: usize = MAGIC.len() + 8 + 8 + 8 + 4;

/// Writes `bytes` as the snapshot covering `covers` to `path`'s temporary
/// sibling and fsyncs it; returns that temporary file for the caller to
/// rename once the records it covers are durable.
pub(crate) fn write_tmp(path: &Path, covers: u64, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&covers.to_le_bytes());
    header.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
    layout::write_tmp(path, &[&header, bytes])
}

/// Reads and verifies the snapshot file `path`, which its name says covers
/// `covers`: its payload.
pub(crate) fn read(path: &Path, covers: u64) -> Result<Vec<u8>, StoreError> {
    let mut bytes = std::fs::read(path).map_err(io_error(path))?;
    let corrupt = |problem: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        problem,
    };
    if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
        return Err(corrupt(
            "not a fifowin snapshot (its header is missing)".into(),
        ));
    }
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let format = word(16);
    if format != FORMAT_VERSION {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found: format,
            supported: FORMAT_VERSION,
        });
    }
    let (named, len) = (word(24), word(32));
    let crc = u32::from_le_bytes([bytes[40], bytes[41], bytes[42], bytes[43]]);
    if named != covers {
        return Err(corrupt(format!(
            "its header says it covers record {named}, its name says {covers}"
        )));
    }
    let actual = (bytes.len() - HEADER) as u64;
    if actual != len {
        return Err(corrupt(format!(
            "its header says {len} bytes follow it, the file holds {actual}"
        )));
    }
    if crc32fast::hash(&bytes[HEADER..]) != crc {
        return Err(corrupt("its checksum does not match its contents".into()));
    }
    bytes.drain(..HEADER);
    Ok(bytes)
}
