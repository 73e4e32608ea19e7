//! `fifowin store check --data-dir DIR` through the binary: a good directory
//! (format, snapshot, segments, records after it; exit 0), one with a torn
//! tail (exit 0, reported), one written in another store format, a store
//! format 1 database, a damaged segment and a missing directory (exit 1, the
//! file and the problem on stderr).

use std::path::{Path, PathBuf};
use std::process::Command;

use fifowin_store::{FORMAT_VERSION, Log, Options};

const BIN: &str = env!("CARGO_BIN_EXE_fifowin");

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("fifowin-store-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Exit code, stdout, stderr.
fn check(dir: &Path) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(["store", "check", "--data-dir"])
        .arg(dir)
        .output()
        .expect("run fifowin");
    (
        out.status.code().expect("an exit code"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

/// 30 records, a snapshot covering 25 of them (1000 bytes), 2 more records,
/// in 64-byte segments.
fn good_directory(dir: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    // Small segments, so the records span several (the damaged-segment test
    // needs one that is not the last).
    let opened = Log::open_with(
        dir,
        Options {
            segment_bytes: 64,
            ..Options::DEFAULT
        },
    )
    .expect("open");
    runtime.block_on(async {
        for i in 0..30u32 {
            opened
                .log
                .append(i.to_be_bytes().to_vec())
                .await
                .expect("append");
        }
        opened
            .log
            .write_snapshot(25, vec![1; 1000])
            .await
            .expect("snapshot");
        for i in 30..32u32 {
            opened
                .log
                .append(i.to_be_bytes().to_vec())
                .await
                .expect("append");
        }
    });
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("log"))
        .expect("log dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_good_directory_is_reported_and_exits_zero() {
    let dir = temp_dir("good");
    good_directory(&dir);
    let files = segments(&dir);
    let size: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).expect("segment").len())
        .sum();
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        format!(
            "{}\n  store format:  {FORMAT_VERSION}\n  snapshot:      covers records 1 to 25, 1000 bytes ({})\n  log segments:  {} ({size} bytes)\n  records after: 7\n  next record:   33\nok\n",
            dir.display(),
            dir.join("snapshot/00000000000000000025.snap").display(),
            files.len(),
        )
    );
    // Garbage after the last record of the last segment: reported, still usable.
    let last = files.last().expect("a segment");
    let mut bytes = std::fs::read(last).expect("read");
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    bytes.truncate(end);
    bytes.extend_from_slice(&[0xab; 10]);
    std::fs::write(last, &bytes).expect("write");
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(
        stdout.contains(&format!(
            "  torn tail:     {} from byte {end}: a record header cut short (10 of 16 bytes) (a write cut off before it was acknowledged; fifowin serve cuts it off at start-up)\n",
            last.display()
        )),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_of_another_store_format_exits_one_naming_both_versions() {
    let dir = temp_dir("version");
    good_directory(&dir);
    let meta = dir.join("meta");
    let text = std::fs::read_to_string(&meta).expect("meta");
    std::fs::write(
        &meta,
        text.replace(&format!("format {FORMAT_VERSION}"), "format 7"),
    )
    .expect("write");
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        format!(
            "fifowin: store check: {} was written in store format 7; this build of fifowin reads format {FORMAT_VERSION}\n",
            meta.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_segment_an_old_database_or_a_missing_directory_exits_one_naming_it() {
    let dir = temp_dir("corrupt");
    let (code, _, stderr) = check(&dir);
    assert_eq!(
        (code, stderr),
        (
            1,
            format!(
                "fifowin: store check: not a fifowin data directory: {} does not exist\n",
                dir.join("meta").display()
            )
        )
    );
    good_directory(&dir);
    let first = segments(&dir).remove(0);
    let mut bytes = std::fs::read(&first).expect("read");
    bytes[17] ^= 0xff;
    std::fs::write(&first, &bytes).expect("write");
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        segments(&dir).len() > 1,
        "the damaged segment must not be the last one"
    );
    assert_eq!(
        stderr,
        format!(
            "fifowin: store check: {} is damaged: at byte 0: a record whose checksum does not match\n",
            first.display()
        )
    );
    let old = dir.join("fifowin.redb");
    std::fs::write(&old, b"an old database").expect("write");
    let (code, _, stderr) = check(&dir);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with(&format!(
            "fifowin: store check: {} is a store format 1 (redb) database",
            old.display()
        )),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
