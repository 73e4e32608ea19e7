//! How a commit reaches the active segment file: past the page cache where
//! the file system allows it, through it otherwise.
//!
//! **Direct** (Linux, `O_DIRECT | O_DSYNC`): a commit is one `pwrite` of whole
//! blocks that returns once they are on stable storage, with no `fdatasync`
//! after it and no copy into the page cache. It costs the writer thread less
//! system time per commit than a buffered write and an `fdatasync` (the
//! writeback machinery, page locks and the second system call are skipped),
//! and that thread shares the machine's cores with the request path.
//! `O_DIRECT` needs the buffer, the offset and the length aligned to the
//! device's block, so the bytes of the last, partly filled block are kept in
//! memory and written again, with the next records after them, by the next
//! commit; the rest of the last block is written as zeros, which read as the
//! end of the log. The page cache writes whole pages back as well, so
//! rewriting a block that holds acknowledged records risks nothing a
//! buffered write does not.
//!
//! **Buffered**: `pwrite` and then `fdatasync`, for file systems that refuse
//! `O_DIRECT` (tmpfs, some network and FUSE file systems), for other
//! platforms, and when [`crate::Options::direct_io`] is off. The choice is
//! made when a segment is opened, by a probe write of one block of zeros at
//! its start (where its first record goes), so a file system that accepts the
//! flag but not the alignment also ends up buffered rather than failing
//! every commit.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt as _;
use std::path::Path;

use crate::StoreError;
use crate::layout::io_error;

/// The alignment direct writes use: a multiple of every common logical block
/// size (512 and 4096 bytes) and the page size of the usual platforms.
const BLOCK: usize = 4096;

/// The active segment, opened for commits.
#[derive(Debug)]
pub(crate) enum SegmentFile {
    Direct {
        file: File,
        /// The bytes of the block the next record starts in (`tail` of
        /// them), followed by room for the next batch.
        staging: AlignedBlocks,
        tail: usize,
    },
    Buffered(File),
}

impl SegmentFile {
    /// Opens the empty segment `path` (a spare renamed, or a new file);
    /// direct when `direct_io` and the file system allows it.
    pub(crate) fn open(path: &Path, direct_io: bool) -> Result<Self, StoreError> {
        if direct_io && let Some(file) = open_direct(path) {
            return Ok(Self::Direct {
                file,
                staging: AlignedBlocks::new(16 * BLOCK),
                tail: 0,
            });
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_error(path))?;
        Ok(Self::Buffered(file))
    }

    /// Whether commits bypass the page cache.
    pub(crate) fn is_direct(&self) -> bool {
        matches!(self, Self::Direct { .. })
    }

    /// Writes `batch` at `offset`, the end of the records before it in this
    /// segment, and returns once it is on stable storage.
    pub(crate) fn commit(&mut self, batch: &[u8], offset: u64) -> std::io::Result<()> {
        match self {
            Self::Buffered(file) => {
                file.write_all_at(batch, offset)?;
                file.sync_data()
            }
            Self::Direct {
                file,
                staging,
                tail,
            } => {
                let end = *tail + batch.len();
                let padded = end.next_multiple_of(BLOCK);
                staging.reserve(padded, *tail);
                let bytes = staging.as_mut_slice();
                bytes[*tail..end].copy_from_slice(batch);
                bytes[end..padded].fill(0);
                let start = offset - *tail as u64;
                debug_assert_eq!(start % BLOCK as u64, 0, "direct writes start on a block");
                file.write_all_at(&bytes[..padded], start)?;
                let kept = end % BLOCK;
                bytes.copy_within(end - kept..end, 0);
                *tail = kept;
                Ok(())
            }
        }
    }

    /// Cuts the file off at `len`, the end of its last record (dropping the
    /// zeros after it).
    pub(crate) fn set_len(&self, len: u64) -> std::io::Result<()> {
        match self {
            Self::Direct { file, .. } | Self::Buffered(file) => file.set_len(len),
        }
    }
}

/// Opens `path` for direct, synchronous writes and probes it with a block of
/// zeros at its start; `None` where that is refused.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_DIRECT | libc::O_DSYNC)
        .open(path)
        .ok()?;
    let mut probe = AlignedBlocks::new(BLOCK);
    file.write_all_at(&probe.as_mut_slice()[..BLOCK], 0)
        .ok()
        .map(|()| file)
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path) -> Option<File> {
    None
}

/// Zeroed bytes whose start is aligned to [`BLOCK`] in memory, as `O_DIRECT`
/// needs: a `Vec` with one block of slack, used from its first aligned byte.
/// Its own few lines rather than an aligned-vector crate, whose assertion
/// macros would add a proc-macro crate to every build.
#[derive(Debug)]
pub(crate) struct AlignedBlocks {
    raw: Vec<u8>,
    /// Where the aligned part of `raw` starts.
    start: usize,
    len: usize,
}

impl AlignedBlocks {
    fn new(len: usize) -> Self {
        let raw = vec![0u8; len + BLOCK];
        let start = raw.as_ptr().addr().next_multiple_of(BLOCK) - raw.as_ptr().addr();
        Self { raw, start, len }
    }

    /// Makes room for `len` bytes, keeping the first `keep`.
    fn reserve(&mut self, len: usize, keep: usize) {
        if len <= self.len {
            return;
        }
        let mut grown = Self::new(len.next_power_of_two());
        grown.as_mut_slice()[..keep].copy_from_slice(&self.as_mut_slice()[..keep]);
        *self = grown;
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.raw[self.start..self.start + self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "fifowin-segment-file-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        File::create(&path).unwrap();
        path
    }

    #[test]
    fn aligned_blocks_start_on_a_block_and_keep_their_prefix_when_grown() {
        let mut blocks = AlignedBlocks::new(BLOCK);
        assert_eq!(blocks.as_mut_slice().as_ptr().addr() % BLOCK, 0);
        blocks.as_mut_slice()[..3].copy_from_slice(b"abc");
        blocks.reserve(3 * BLOCK, 3);
        assert_eq!(blocks.as_mut_slice().len(), 4 * BLOCK);
        assert_eq!(blocks.as_mut_slice().as_ptr().addr() % BLOCK, 0);
        assert_eq!(&blocks.as_mut_slice()[..3], b"abc");
    }

    /// Batches that end inside a block, fill it exactly, and span several
    /// blocks leave the file holding exactly the bytes written, then zeros,
    /// in both modes.
    #[test]
    fn commits_leave_the_records_in_order_followed_by_zeros() {
        for direct_io in [true, false] {
            let path = temp_file(&format!("order-{direct_io}"));
            let mut segment = SegmentFile::open(&path, direct_io).unwrap();
            let batches: Vec<Vec<u8>> = [100, BLOCK - 100, 1, 3 * BLOCK + 7, 5]
                .iter()
                .enumerate()
                .map(|(i, &len)| vec![b'a' + i as u8; len])
                .collect();
            let mut offset = 0u64;
            let mut expected = Vec::new();
            for batch in &batches {
                segment.commit(batch, offset).unwrap();
                offset += batch.len() as u64;
                expected.extend_from_slice(batch);
            }
            let on_disk = std::fs::read(&path).unwrap();
            assert_eq!(
                &on_disk[..expected.len()],
                &expected[..],
                "direct_io {direct_io}"
            );
            assert!(on_disk[expected.len()..].iter().all(|&b| b == 0));
            segment.set_len(offset).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), expected);
            std::fs::remove_file(&path).unwrap();
        }
    }
}
