//! The log keeps what was acknowledged, in order, across reopenings; a torn
//! tail is cut off, damage elsewhere is an error naming the file and offset;
//! snapshots replace the records they cover and free their segments; other
//! formats and busy directories are errors that name them.

use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Small segments, so a few hundred records span several.
const SMALL: Options = Options {
    segment_bytes: 512,
    ..Options::DEFAULT
};

fn open(dir: &Path) -> Opened {
    Log::open_with(dir, SMALL).unwrap()
}

fn values(records: &[Vec<u8>]) -> Vec<u32> {
    records
        .iter()
        .map(|r| u32::from_be_bytes(r.as_slice().try_into().unwrap()))
        .collect()
}

/// Appends in groups of ten in flight at once (a group shares a batch; a
/// batch never spans two segments, so groups let small segments fill).
async fn append_all(log: &Log, values: std::ops::Range<u32>) -> Vec<u64> {
    let values: Vec<u32> = values.collect();
    let mut seqs = Vec::new();
    for group in values.chunks(10) {
        let waits: Vec<_> = group
            .iter()
            .map(|i| log.append(i.to_be_bytes().to_vec()))
            .collect();
        for wait in waits {
            seqs.push(wait.await.unwrap());
        }
    }
    seqs
}

fn segments(dir: &Path) -> Vec<(u64, PathBuf)> {
    layout::numbered(&dir.join(LOG_DIR), layout::SEGMENT_EXT).unwrap()
}

fn snapshot_files(dir: &Path) -> Vec<u64> {
    layout::numbered(&dir.join(SNAPSHOT_DIR), layout::SNAPSHOT_EXT)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            dir_bytes(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

/// Both ways of committing: past the page cache and through it.
const BOTH_IO: [Options; 2] = [
    SMALL,
    Options {
        direct_io: false,
        ..SMALL
    },
];

#[tokio::test]
async fn records_come_back_in_order_after_reopening() {
    for options in BOTH_IO {
        records_come_back_in_order(options).await;
    }
}

async fn records_come_back_in_order(options: Options) {
    let dir = temp_dir(&format!("order-{}", options.direct_io));
    let seed = {
        let opened = Log::open_with(&dir, options).unwrap();
        assert!(opened.records.is_empty());
        if !options.direct_io {
            assert!(
                !opened.log.direct_io(),
                "direct I/O though it was turned off"
            );
        }
        // Many appends in flight at once: they share batches (group commit).
        let seqs = append_all(&opened.log, 0..300).await;
        assert_eq!(seqs, (1..=300).collect::<Vec<_>>());
        opened.log.seed()
    };
    assert!(segments(&dir).len() > 3, "{:?}", segments(&dir));
    let opened = Log::open_with(&dir, options).unwrap();
    assert_eq!(opened.log.seed(), seed);
    assert_eq!(values(&opened.records), (0..300).collect::<Vec<_>>());
    assert_eq!(opened.torn_tail, None);
    assert_eq!(opened.log.append(b"next".to_vec()).await.unwrap(), 301);
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn many_concurrent_appenders_get_every_record_back_in_order() {
    for options in BOTH_IO {
        concurrent_appenders(options);
    }
}

fn concurrent_appenders(options: Options) {
    let dir = temp_dir(&format!("concurrent-{}", options.direct_io));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    let mut appended = Vec::new();
    {
        let opened = Log::open_with(&dir, options).unwrap();
        let log = Arc::new(opened.log);
        let tasks: Vec<_> = (0..32u32)
            .map(|task| {
                let log = Arc::clone(&log);
                runtime.spawn(async move {
                    let mut mine = Vec::new();
                    for i in 0..100u32 {
                        let record = format!("{task}:{i}").into_bytes();
                        let seq = log.append(record.clone()).await.unwrap();
                        mine.push((seq, record));
                    }
                    mine
                })
            })
            .collect();
        for task in tasks {
            let mine = runtime.block_on(task).unwrap();
            // Each task's records are numbered in the order it appended them.
            assert!(mine.windows(2).all(|w| w[0].0 < w[1].0));
            appended.extend(mine);
        }
    }
    appended.sort();
    let seqs: Vec<u64> = appended.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=3200).collect::<Vec<_>>());
    let opened = Log::open_with(&dir, options).unwrap();
    let expected: Vec<Vec<u8>> = appended.into_iter().map(|(_, r)| r).collect();
    assert!(opened.records == expected, "records differ after reopening");
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The bytes of a snapshot covering `covers`, each byte derived from its place.
fn snapshot_bytes(covers: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u64).wrapping_mul(31).wrapping_add(covers) as u8)
        .collect()
}

#[tokio::test]
async fn a_snapshot_replaces_the_records_it_covers_and_frees_their_segments() {
    let dir = temp_dir("snapshot");
    let len = 3_000_000;
    {
        let opened = open(&dir);
        assert_eq!((opened.snapshot.clone(), opened.first_record), (None, 1));
        append_all(&opened.log, 0..1000).await;
        let full = dir_bytes(&dir);
        // Appends made while the snapshot is written are committed too.
        let snapshot = opened.log.write_snapshot(600, snapshot_bytes(600, len));
        let during = append_all(&opened.log, 1000..1050).await;
        assert_eq!(during, (1001..=1050).collect::<Vec<_>>());
        let info = snapshot.await.unwrap();
        assert_eq!((info.covers, info.bytes), (600, len as u64));
        assert_eq!(snapshot_files(&dir), [600]);
        // The segments left are those holding a record after 600.
        let left = segments(&dir);
        assert!(
            left[0].0 <= 601 && left.get(1).is_none_or(|s| s.0 > 601),
            "{left:?}"
        );
        // A second snapshot covering everything leaves the segment it
        // covers the end of (closed at the next append, deleted by the next
        // snapshot) and the active one.
        append_all(&opened.log, 1050..1100).await;
        opened.log.write_snapshot(1100, vec![7; 10]).await.unwrap();
        append_all(&opened.log, 1100..1101).await;
        assert_eq!(snapshot_files(&dir), [1100]);
        assert!(segments(&dir).len() <= 2, "{:?}", segments(&dir));
        assert!(dir_bytes(&dir) < full / 2, "{} of {full}", dir_bytes(&dir));
    }
    let opened = open(&dir);
    assert_eq!(
        opened.snapshot,
        Some(Snapshot {
            covers: 1100,
            bytes: vec![7; 10]
        })
    );
    assert_eq!(opened.first_record, 1101);
    assert_eq!(values(&opened.records), [1100]);
    assert_eq!(opened.log.append(b"after".to_vec()).await.unwrap(), 1102);
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_position_numbers_queued_records_as_the_writer_does() {
    let dir = temp_dir("position");
    {
        let opened = open(&dir);
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
    let opened = open(&dir);
    assert_eq!(opened.log.position(), Position { last: 7, bytes: 0 });
    assert_eq!(opened.log.append(vec![0; 9]).await.unwrap(), 8);
    assert_eq!(opened.log.position(), Position { last: 8, bytes: 9 });
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_snapshot_ahead_of_the_log_or_behind_the_current_one_is_refused() {
    let dir = temp_dir("refused");
    let opened = open(&dir);
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
async fn leftovers_of_a_cut_off_snapshot_are_ignored_and_removed() {
    let dir = temp_dir("cut-off");
    {
        let opened = open(&dir);
        append_all(&opened.log, 0..50).await;
        opened.log.write_snapshot(20, vec![3; 100]).await.unwrap();
    }
    // What a crash leaves: a temporary file of the next snapshot (not
    // renamed) and a half-made spare segment.
    let tmp = layout::snapshot_path(&dir, 40).with_extension(layout::TMP_EXT);
    std::fs::write(&tmp, [9u8; 64]).unwrap();
    let spare_tmp = dir.join(LOG_DIR).join("spare.tmp");
    std::fs::write(&spare_tmp, [0u8; 10]).unwrap();
    let opened = open(&dir);
    assert_eq!(
        opened.snapshot,
        Some(Snapshot {
            covers: 20,
            bytes: vec![3; 100]
        })
    );
    assert_eq!(values(&opened.records), (20..50).collect::<Vec<_>>());
    assert_eq!(opened.first_record, 21);
    drop(opened);
    // (A new spare is made as `spare.tmp` too, and renamed before the log closes.)
    assert!(!tmp.exists() && !spare_tmp.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes 200 records into `dir` (several small segments) and closes it.
fn filled(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let opened = open(&dir);
    runtime.block_on(append_all(&opened.log, 0..200));
    drop(opened);
    dir
}

#[test]
fn a_torn_tail_is_cut_off_and_appends_follow_the_last_whole_record() {
    let dir = filled("torn");
    let (_, last) = segments(&dir).pop().unwrap();
    let end = usize::try_from(check(&dir).unwrap().next_record).unwrap();
    assert_eq!(end, 201);
    // Half of a record 201 after the last whole record: a write a crash cut off.
    let mut frame = Vec::new();
    frame::encode(&mut frame, 201, &[5u8; 40]);
    let mut bytes = std::fs::read(&last).unwrap();
    let whole = {
        let mut at = 0;
        while let frame::Frame::Record { next, .. } = frame::read(&bytes, at) {
            at = next;
        }
        at
    };
    bytes.truncate(whole);
    bytes.extend_from_slice(&frame[..30]);
    std::fs::write(&last, &bytes).unwrap();
    let report = check(&dir).unwrap();
    let torn = report.torn_tail.clone().expect("a torn tail");
    assert_eq!(
        (torn.path.clone(), torn.offset),
        (last.clone(), whole as u64)
    );
    assert_eq!(report.next_record, 201);
    assert!(
        std::fs::read(&last).unwrap() == bytes,
        "check changed the file"
    );

    let opened = open(&dir);
    assert_eq!(opened.torn_tail, Some(torn));
    assert_eq!(values(&opened.records), (0..200).collect::<Vec<_>>());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let seq = runtime.block_on(opened.log.append(7u32.to_be_bytes().to_vec()));
    assert_eq!(seq.unwrap(), 201);
    drop(opened);
    let opened = open(&dir);
    assert_eq!(opened.torn_tail, None);
    let mut expected: Vec<u32> = (0..200).collect();
    expected.push(7);
    assert_eq!(values(&opened.records), expected);
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_flipped_byte_in_an_earlier_segment_is_an_error_naming_the_file_and_offset() {
    let dir = filled("flipped");
    let (_, second) = segments(&dir).swap_remove(1);
    let mut bytes = std::fs::read(&second).unwrap();
    // In the second record's payload.
    let at = frame::HEADER + 4 + frame::HEADER + 2;
    bytes[at] ^= 0x40;
    std::fs::write(&second, &bytes).unwrap();
    let expected = format!(
        "{} is damaged: at byte {}: a record whose checksum does not match",
        second.display(),
        frame::HEADER + 4
    );
    assert_eq!(check(&dir).unwrap_err().to_string(), expected);
    let err = Log::open_with(&dir, SMALL).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(err.to_string(), expected);
    // Nothing was changed by the failed open.
    assert!(std::fs::read(&second).unwrap() == bytes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_segment_is_a_gap_naming_the_next_one() {
    let dir = filled("gap");
    let files = segments(&dir);
    assert!(files.len() >= 4, "{files:?}");
    std::fs::remove_file(&files[1].1).unwrap();
    let expected = format!(
        "{} is damaged: it starts at record {}, but the segment before it ends at record {}: records {} to {} are missing",
        files[2].1.display(),
        files[2].0,
        files[1].0 - 1,
        files[1].0,
        files[2].0 - 1
    );
    assert_eq!(
        Log::open_with(&dir, SMALL).unwrap_err().to_string(),
        expected
    );
    assert_eq!(check(&dir).unwrap_err().to_string(), expected);
    // Without the first segment (and no snapshot) the log starts too late.
    std::fs::remove_file(&files[0].1).unwrap();
    assert_eq!(
        check(&dir).unwrap_err().to_string(),
        format!(
            "{} is damaged: the log starts at record {}, but no snapshot covers records 1 to {}",
            files[2].1.display(),
            files[2].0,
            files[2].0 - 1
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_damaged_snapshot_is_an_error_naming_it() {
    let dir = temp_dir("bad-snapshot");
    {
        let opened = open(&dir);
        append_all(&opened.log, 0..10).await;
        opened.log.write_snapshot(10, vec![4; 1000]).await.unwrap();
    }
    let path = layout::snapshot_path(&dir, 10);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let expected = format!(
        "{} is damaged: its checksum does not match its contents",
        path.display()
    );
    assert_eq!(
        Log::open_with(&dir, SMALL).unwrap_err().to_string(),
        expected
    );
    bytes.truncate(500);
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        check(&dir).unwrap_err().to_string(),
        format!(
            "{} is damaged: its header says 1000 bytes follow it, the file holds 456",
            path.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn another_store_format_is_an_error_naming_the_file_and_both_versions() {
    let dir = filled("version");
    let meta = dir.join(META_FILE);
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace("format 2", "format 99")).unwrap();
    let expected = format!(
        "{} was written in store format 99; this build of fifowin reads format {FORMAT_VERSION}",
        meta.display()
    );
    let err = Log::open_with(&dir, SMALL).unwrap_err();
    assert!(
        matches!(err, StoreError::Version { found: 99, .. }),
        "{err}"
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(check(&dir).unwrap_err().to_string(), expected);
    std::fs::write(&meta, "something else\n").unwrap();
    assert_eq!(
        check(&dir).unwrap_err().to_string(),
        format!("{} is damaged: not a fifowin meta file", meta.display())
    );
    std::fs::remove_file(&meta).unwrap();
    assert_eq!(
        Log::open_with(&dir, SMALL).unwrap_err().to_string(),
        format!(
            "{} is damaged: it is missing, but the directory holds log segments or snapshots",
            meta.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_format_1_database_is_refused_with_what_to_do() {
    let dir = temp_dir("legacy");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(LEGACY_FILE);
    std::fs::write(&file, b"redb\x1a\x0a\xa9\x0d\x0a").unwrap();
    let expected = format!(
        "{} is a store format 1 (redb) database, which this build of fifowin (store format {FORMAT_VERSION}) cannot read: drain it with the fifowin version that wrote it, or move it out of the data directory to start empty",
        file.display()
    );
    let err = Log::open_with(&dir, SMALL).unwrap_err();
    assert!(matches!(err, StoreError::OldFormat { .. }), "{err:?}");
    assert_eq!(err.to_string(), expected);
    assert_eq!(check(&dir).unwrap_err().to_string(), expected);
    // Nothing was added next to it.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_log_on_the_same_directory_is_an_error_naming_the_directory() {
    let dir = temp_dir("locked");
    let first = open(&dir);
    let err = Log::open_with(&dir, SMALL).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the data directory {} is in use by another fifowin process ({} is locked)",
            dir.display(),
            dir.join(LOCK_FILE).display()
        )
    );
    assert!(matches!(check(&dir), Err(StoreError::Locked { .. })));
    drop(first);
    assert!(Log::open_with(&dir, SMALL).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every file under `dir` with its contents.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(contents(&path));
        } else {
            files.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn check_reports_what_a_directory_holds_without_changing_it() {
    let dir = temp_dir("check");
    assert_eq!(
        check(&dir).unwrap_err().to_string(),
        format!(
            "not a fifowin data directory: {} does not exist",
            dir.join(META_FILE).display()
        )
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    {
        let opened = open(&dir);
        runtime.block_on(async {
            append_all(&opened.log, 0..300).await;
            opened.log.write_snapshot(250, vec![1; 1000]).await.unwrap();
            append_all(&opened.log, 300..302).await;
        });
    }
    let before = contents(&dir);
    let report = check(&dir).unwrap();
    assert_eq!(
        (
            report.format,
            report.snapshot.clone(),
            report.records_after,
            report.next_record,
            report.torn_tail.clone(),
        ),
        (
            FORMAT_VERSION,
            Some((layout::snapshot_path(&dir, 250), 250, 1000)),
            52,
            303,
            None
        )
    );
    let files = segments(&dir);
    assert_eq!(report.segments, files.len() as u64);
    let on_disk: u64 = files
        .iter()
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(report.segment_bytes, on_disk);
    assert!(contents(&dir) == before, "check changed the directory");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Counts its wake-ups.
struct Counter(std::sync::atomic::AtomicUsize);

impl std::task::Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn wakes(counter: &Counter) -> usize {
    counter.0.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn the_writer_wakes_one_waiter_per_batch_and_a_dropped_leader_passes_it_on() {
    use std::future::Future as _;
    let dir = temp_dir("leader");
    let opened = open(&dir);
    let mut waits: Vec<_> = (0..10u32)
        .map(|i| opened.log.append(i.to_be_bytes().to_vec()))
        .collect();
    let counters: Vec<_> = (0..10)
        .map(|_| Arc::new(Counter(std::sync::atomic::AtomicUsize::new(0))))
        .collect();
    let mut registered = Vec::new();
    for (wait, counter) in waits.iter_mut().zip(&counters) {
        let waker = std::task::Waker::from(Arc::clone(counter));
        let poll = std::pin::Pin::new(wait).poll(&mut std::task::Context::from_waker(&waker));
        registered.push(poll.is_pending());
    }
    // The commit takes an fsync, the polls microseconds.
    assert!(
        registered[0],
        "the first append was committed before it was polled"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while counters.iter().map(|c| wakes(c)).sum::<usize>() == 0 {
        assert!(std::time::Instant::now() < deadline, "nobody was woken");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let woken: Vec<usize> = (0..10).filter(|&i| wakes(&counters[i]) > 0).collect();
    // One wake-up from the writer per batch; the appends were made
    // microseconds apart, so they fill one batch or two, never ten.
    assert!(woken.len() <= 2, "{woken:?}");
    // The leaders are dropped without running: every other registered
    // waiter is woken instead, once.
    for &leader in woken.iter().rev() {
        drop(waits.remove(leader));
    }
    let others: Vec<usize> = (0..10)
        .filter(|&i| !woken.contains(&i) && registered[i])
        .collect();
    assert!(!others.is_empty());
    assert!(
        others.iter().all(|&i| wakes(&counters[i]) == 1),
        "{:?}",
        counters.iter().map(|c| wakes(c)).collect::<Vec<_>>()
    );
    drop(waits);
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}
