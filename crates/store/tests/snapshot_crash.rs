//! SIGKILL while snapshots are being written: a child process (this test
//! binary, re-run with an environment variable) appends records and writes
//! multi-megabyte snapshots while appending; the parent kills it with SIGKILL a
//! a few milliseconds after a snapshot starts, reopens the directory and checks
//! that every acknowledged record is there, the snapshot is whole, and the
//! records after it are contiguous. Rounds share one directory, so later
//! rounds also start from a crashed snapshot, a torn tail or a half-done
//! deletion of covered segments.
//! `FIFOWIN_STORE_CRASH_ROUNDS` sets the rounds (default 6).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fifowin_store::Log;

const CHILD_ENV: &str = "FIFOWIN_STORE_CRASH_CHILD_DIR";
const TEST_NAME: &str = "sigkill_during_snapshots_loses_no_acknowledged_record";

/// Snapshots large enough that writing one takes a few milliseconds.
fn snapshot_len(covers: u64) -> usize {
    3 * (1 << 20) + (covers % 4096) as usize
}

fn snapshot_bytes(covers: u64) -> Vec<u8> {
    (0..snapshot_len(covers))
        .map(|i| (i as u64).wrapping_mul(131).wrapping_add(covers) as u8)
        .collect()
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

type Pending = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = Result<fifowin_store::SnapshotInfo, fifowin_store::StoreError>,
            >,
    >,
>;

/// The child: appends (record = its own sequence number) in concurrent
/// groups, and every 2000 records writes a snapshot while appending on.
fn child(dir: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let opened = Log::open(dir).expect("the child opens the log");
        let log = opened.log;
        let mut next = opened.first_record + opened.records.len() as u64;
        let mut snapshot: Option<(u64, Pending)> = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let waits: Vec<_> = (next..next + 200)
                .map(|seq| log.append(seq.to_le_bytes().to_vec()))
                .collect();
            for (i, wait) in waits.into_iter().enumerate() {
                assert_eq!(wait.await.expect("append"), next + i as u64);
            }
            next += 200;
            say(&format!("ack {}", next - 1));
            if let Some((covers, wait)) = snapshot.take() {
                wait.await.expect("snapshot");
                say(&format!("snap done {covers}"));
            }
            if next % 2000 < 200 {
                let covers = next - 1;
                say(&format!("snap start {covers}"));
                snapshot = Some((
                    covers,
                    Box::pin(log.write_snapshot(covers, snapshot_bytes(covers))),
                ));
            }
        }
    });
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-store-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// What the parent saw the child say before it died.
#[derive(Default, Debug)]
struct Heard {
    acked: u64,
    started: Vec<u64>,
    done: Vec<u64>,
}

fn jitter_ms(round: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    (u64::from(nanos) ^ round.wrapping_mul(0x9e37_79b9)) % 60
}

/// Reopens `dir` and checks it against what the child acknowledged.
fn verify(dir: &Path, heard: &Heard) -> (u64, Option<u64>) {
    let opened = Log::open(dir).expect("the directory opens after SIGKILL");
    let covers = opened.snapshot.as_ref().map(|s| s.covers);
    if let Some(snapshot) = &opened.snapshot {
        assert!(
            snapshot.bytes == snapshot_bytes(snapshot.covers),
            "snapshot covering {} is not the one written",
            snapshot.covers
        );
    }
    assert_eq!(opened.first_record, covers.unwrap_or(0) + 1);
    for (i, record) in opened.records.iter().enumerate() {
        let seq = opened.first_record + i as u64;
        assert_eq!(
            record.as_slice(),
            seq.to_le_bytes().as_slice(),
            "record {seq}"
        );
    }
    let last = opened.first_record + opened.records.len() as u64 - 1;
    assert!(
        last >= heard.acked,
        "acknowledged up to {} but only {last} survived",
        heard.acked
    );
    (last, covers)
}

#[test]
fn sigkill_during_snapshots_loses_no_acknowledged_record() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child(Path::new(&dir));
        return;
    }
    let rounds: u64 = std::env::var("FIFOWIN_STORE_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let dir = temp_dir();
    let mut mid_snapshot = 0;
    for round in 0..rounds {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the child");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut heard = Heard::default();
        let note = |line: &str, heard: &mut Heard| {
            // libtest writes "test NAME ... " before the child's first line.
            let line = line.rsplit(" ... ").next().unwrap_or(line);
            let mut words = line.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some("ack"), Some(n), None) => heard.acked = n.parse().expect("number"),
                (Some("snap"), Some("start"), Some(n)) => {
                    heard.started.push(n.parse().expect("number"))
                }
                (Some("snap"), Some("done"), Some(n)) => {
                    heard.done.push(n.parse().expect("number"))
                }
                _ => {}
            }
        };
        // Kill 0-59 ms after the round's first, second or third snapshot
        // starts (writing it takes a few milliseconds), so rounds die
        // mid-snapshot, mid-deletion and between snapshots.
        let starts = 1 + round % 3;
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            let line = rx
                .recv_timeout(give_up.saturating_duration_since(Instant::now()))
                .expect("the child starts a snapshot within a minute");
            note(&line, &mut heard);
            if heard.started.len() as u64 == starts {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(jitter_ms(round)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        reader.join().expect("reader");
        for line in rx.try_iter() {
            note(&line, &mut heard);
        }
        let killed_mid = heard.started.last() != heard.done.last();
        mid_snapshot += u64::from(killed_mid);
        let (last, covers) = verify(&dir, &heard);
        eprintln!(
            "round {round}: acknowledged {} records, {last} survived, snapshot covers {covers:?}, killed {} a snapshot was done",
            heard.acked,
            if killed_mid { "before" } else { "after" }
        );
    }
    eprintln!("{rounds} rounds, {mid_snapshot} killed before the snapshot in flight was done");
    let _ = std::fs::remove_dir_all(&dir);
}
