//! The log keeps what was committed, in order, across reopenings; snapshots
//! replace the records they cover; bad files and busy directories are errors
//! that name them.

use super::*;
use crate::layout::{KEY_FORMAT, LOG, META, SNAPSHOT};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn records_come_back_in_order_after_reopening() {
    let dir = temp_dir("order");
    let seed = {
        let opened = Log::open(&dir).unwrap();
        assert!(opened.records.is_empty());
        // Many appends in flight at once: they share transactions (group commit).
        let waits: Vec<_> = (0..100u32)
            .map(|i| opened.log.append(i.to_be_bytes().to_vec()))
            .collect();
        for (i, wait) in waits.into_iter().enumerate() {
            assert_eq!(wait.await.unwrap(), i as u64 + 1);
        }
        opened.log.seed()
    };
    let opened = Log::open(&dir).unwrap();
    assert_eq!(opened.log.seed(), seed);
    let values: Vec<u32> = opened
        .records
        .iter()
        .map(|r| u32::from_be_bytes(r.as_slice().try_into().unwrap()))
        .collect();
    assert_eq!(values, (0..100).collect::<Vec<_>>());
    assert_eq!(opened.log.append(b"next".to_vec()).await.unwrap(), 101);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The bytes of a snapshot covering `covers`: several chunks, each byte
/// derived from its place, so a chunk out of order or missing shows.
fn snapshot_bytes(covers: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u64).wrapping_mul(31).wrapping_add(covers) as u8)
        .collect()
}

async fn append_all(log: &Log, values: std::ops::Range<u32>) -> Vec<u64> {
    let waits: Vec<_> = values
        .map(|i| log.append(i.to_be_bytes().to_vec()))
        .collect();
    let mut seqs = Vec::new();
    for wait in waits {
        seqs.push(wait.await.unwrap());
    }
    seqs
}

fn raw_log_keys(dir: &Path) -> Vec<u64> {
    let db = Database::open(dir.join(FILE_NAME)).unwrap();
    let txn = db.begin_read().unwrap();
    let log = txn.open_table(LOG).unwrap();
    log.iter().unwrap().map(|e| e.unwrap().0.value()).collect()
}

fn raw_chunk_keys(dir: &Path) -> Vec<(u64, u64)> {
    let db = Database::open(dir.join(FILE_NAME)).unwrap();
    let txn = db.begin_read().unwrap();
    let table = txn.open_table(SNAPSHOT).unwrap();
    table
        .iter()
        .unwrap()
        .map(|e| e.unwrap().0.value())
        .collect()
}

#[tokio::test]
async fn a_snapshot_replaces_the_records_it_covers() {
    let dir = temp_dir("snapshot");
    let len = 3 * writer::CHUNK_BYTES + 12_345;
    {
        let opened = Log::open(&dir).unwrap();
        assert_eq!((opened.snapshot.clone(), opened.first_record), (None, 1));
        append_all(&opened.log, 0..100).await;
        // Appends made while the snapshot is written are committed too.
        let snapshot = opened.log.write_snapshot(60, snapshot_bytes(60, len));
        let during = append_all(&opened.log, 100..150).await;
        assert_eq!(during, (101..=150).collect::<Vec<_>>());
        let info = snapshot.await.unwrap();
        assert_eq!((info.covers, info.bytes, info.chunks), (60, len as u64, 4));
    }
    // Closing finished deleting the covered records.
    assert_eq!(raw_log_keys(&dir), (61..=150).collect::<Vec<_>>());
    let opened = Log::open(&dir).unwrap();
    let snapshot = opened.snapshot.clone().expect("a snapshot");
    assert_eq!(snapshot.covers, 60);
    assert!(
        snapshot.bytes == snapshot_bytes(60, len),
        "snapshot bytes differ"
    );
    assert_eq!(opened.first_record, 61);
    let values: Vec<u32> = opened
        .records
        .iter()
        .map(|r| u32::from_be_bytes(r.as_slice().try_into().unwrap()))
        .collect();
    assert_eq!(values, (60..150).collect::<Vec<_>>());
    assert_eq!(opened.log.append(b"next".to_vec()).await.unwrap(), 151);
    // A second snapshot replaces the first and its chunks.
    let info = opened.log.write_snapshot(151, vec![7; 10]).await.unwrap();
    assert_eq!((info.covers, info.chunks), (151, 1));
    drop(opened);
    assert_eq!(raw_chunk_keys(&dir), [(2, 0)]);
    assert!(raw_log_keys(&dir).is_empty());
    let opened = Log::open(&dir).unwrap();
    assert_eq!(
        opened.snapshot.as_ref().map(|s| s.bytes.clone()),
        Some(vec![7; 10])
    );
    assert!(opened.records.is_empty());
    assert_eq!(opened.first_record, 152);
    assert_eq!(opened.log.append(b"after".to_vec()).await.unwrap(), 152);
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_position_numbers_queued_records_as_the_writer_does() {
    let dir = temp_dir("position");
    {
        let opened = Log::open(&dir).unwrap();
        assert_eq!(opened.log.position(), Position { last: 0, bytes: 0 });
        // Queued, not yet awaited: the position counts them already.
        let waits: Vec<_> = (0..5u32)
            .map(|i| opened.log.append(i.to_be_bytes().to_vec()))
            .collect();
        assert_eq!(opened.log.position(), Position { last: 5, bytes: 20 });
        for (i, wait) in waits.into_iter().enumerate() {
            assert_eq!(wait.await.unwrap(), i as u64 + 1);
        }
        opened.log.write_snapshot(5, vec![1; 3]).await.unwrap();
        append_all(&opened.log, 5..7).await;
    }
    // Reopened: the count goes on from the last record, bytes from zero.
    let opened = Log::open(&dir).unwrap();
    assert_eq!(opened.log.position(), Position { last: 7, bytes: 0 });
    assert_eq!(opened.log.append(vec![0; 9]).await.unwrap(), 8);
    assert_eq!(opened.log.position(), Position { last: 8, bytes: 9 });
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_snapshot_ahead_of_the_log_or_behind_the_current_one_is_refused() {
    let dir = temp_dir("refused");
    let opened = Log::open(&dir).unwrap();
    append_all(&opened.log, 0..10).await;
    let err = opened.log.write_snapshot(11, vec![1]).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "snapshot refused: a snapshot cannot cover record 11: the log ends at record 10"
    );
    opened.log.write_snapshot(8, vec![1]).await.unwrap();
    let err = opened.log.write_snapshot(7, vec![1]).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "snapshot refused: a snapshot covering record 7 is older than the current one (record 8)"
    );
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_snapshot_cut_off_before_its_switch_leaves_the_previous_one_and_the_log() {
    let dir = temp_dir("cut-off");
    {
        let opened = Log::open(&dir).unwrap();
        append_all(&opened.log, 0..50).await;
        opened.log.write_snapshot(20, vec![3; 100]).await.unwrap();
    }
    // What a crash between chunk transactions leaves: chunks of the next
    // snapshot made durable by a later append, and no switch.
    {
        let db = Database::open(dir.join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(SNAPSHOT).unwrap();
            table.insert((2, 0), [9u8; 64].as_slice()).unwrap();
            table.insert((2, 1), [9u8; 64].as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let opened = Log::open(&dir).unwrap();
    assert_eq!(
        opened.snapshot,
        Some(Snapshot {
            covers: 20,
            bytes: vec![3; 100]
        })
    );
    assert_eq!(opened.records.len(), 30);
    assert_eq!(opened.first_record, 21);
    // The next snapshot takes a new id, never the leftovers'.
    let info = opened.log.write_snapshot(50, vec![5; 10]).await.unwrap();
    assert_eq!(info.covers, 50);
    drop(opened);
    assert_eq!(raw_chunk_keys(&dir), [(3, 0)]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn another_store_format_is_an_error_naming_the_file_and_both_versions() {
    let dir = temp_dir("version");
    drop(Log::open(&dir).unwrap());
    {
        let db = Database::open(dir.join(FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert(KEY_FORMAT, 99)
            .unwrap();
        txn.commit().unwrap();
    }
    let expected = format!(
        "{} was written in store format 99; this build of fifowin reads format {FORMAT_VERSION}",
        dir.join(FILE_NAME).display()
    );
    let err = Log::open(&dir).unwrap_err();
    assert!(
        matches!(err, StoreError::Version { found: 99, .. }),
        "{err}"
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(check(&dir).unwrap_err().to_string(), expected);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupted_or_truncated_file_is_an_error_naming_the_file() {
    let dir = temp_dir("corrupt");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(FILE_NAME);
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&file, &garbage).unwrap();
    for err in [Log::open(&dir).unwrap_err(), check(&dir).unwrap_err()] {
        assert_eq!(
            err.to_string(),
            format!(
                "{} is damaged: not a database: its header is not redb's",
                file.display()
            )
        );
    }
    // The file is left as it was.
    assert_eq!(std::fs::read(&file).unwrap(), garbage);

    std::fs::remove_file(&file).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    {
        let opened = Log::open(&dir).unwrap();
        runtime.block_on(async {
            let waits: Vec<_> = (0..2000u32)
                .map(|i| opened.log.append(vec![i as u8; 500]))
                .collect();
            for w in waits {
                w.await.unwrap();
            }
        });
    }
    let full = std::fs::metadata(&file).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(full / 2).unwrap();
    drop(f);
    for err in [check(&dir).unwrap_err(), Log::open(&dir).unwrap_err()] {
        assert_eq!(
            err.to_string(),
            format!(
                "{} is damaged: the file is shorter than its header says (truncated)",
                file.display()
            )
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_log_on_the_same_directory_is_an_error_naming_the_directory() {
    let dir = temp_dir("locked");
    let first = Log::open(&dir).unwrap();
    let err = Log::open(&dir).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the data directory {} is in use by another fifowin process ({} is locked)",
            dir.display(),
            dir.join(FILE_NAME).display()
        )
    );
    assert!(matches!(check(&dir), Err(StoreError::Locked { .. })));
    drop(first);
    assert!(Log::open(&dir).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_what_a_directory_holds_without_changing_it() {
    let dir = temp_dir("check");
    assert_eq!(
        check(&dir).unwrap_err().to_string(),
        format!(
            "no fifowin database in the data directory: {} does not exist",
            dir.join(FILE_NAME).display()
        )
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    {
        let opened = Log::open(&dir).unwrap();
        runtime.block_on(async {
            append_all(&opened.log, 0..30).await;
            opened.log.write_snapshot(25, vec![1; 1000]).await.unwrap();
            append_all(&opened.log, 30..32).await;
        });
    }
    let before = std::fs::read(dir.join(FILE_NAME)).unwrap();
    let report = check(&dir).unwrap();
    assert_eq!(
        (
            report.format,
            report.snapshot,
            report.records_after,
            report.next_record,
            report.needs_repair
        ),
        (FORMAT_VERSION, Some((25, 1000)), 7, 33, false)
    );
    assert_eq!(report.file_bytes, before.len() as u64);
    assert!(
        std::fs::read(dir.join(FILE_NAME)).unwrap() == before,
        "check changed the file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
