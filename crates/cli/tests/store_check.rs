//! `fifowin store check --data-dir DIR` through the binary: a good directory
//! (format, snapshot, records after it; exit 0), one written in another store
//! format, a corrupted file and a missing one (exit 1, the file and the
//! problem on stderr).

use std::path::{Path, PathBuf};
use std::process::Command;

use fifowin_store::{FORMAT_VERSION, Log};

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

/// 30 records, a snapshot covering 25 of them (1000 bytes), 2 more records.
fn good_directory(dir: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let opened = Log::open(dir).expect("open");
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

#[test]
fn a_good_directory_is_reported_and_exits_zero() {
    let dir = temp_dir("good");
    good_directory(&dir);
    let file = dir.join("fifowin.redb");
    let size = std::fs::metadata(&file).expect("the file").len();
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        format!(
            "{}\n  store format:  {FORMAT_VERSION}\n  file size:     {size} bytes\n  snapshot:      covers records 1 to 25, 1000 bytes\n  records after: 7\n  next record:   33\nok\n",
            file.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_of_another_store_format_exits_one_naming_both_versions() {
    let dir = temp_dir("version");
    good_directory(&dir);
    let file = dir.join("fifowin.redb");
    {
        let meta: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
        let db = redb::Database::open(&file).expect("open with redb");
        let txn = db.begin_write().expect("write");
        txn.open_table(meta)
            .expect("meta")
            .insert("format", 7)
            .expect("insert");
        txn.commit().expect("commit");
    }
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        format!(
            "fifowin: store check: {} was written in store format 7; this build of fifowin reads format {FORMAT_VERSION}\n",
            file.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupted_or_missing_file_exits_one_naming_it() {
    let dir = temp_dir("corrupt");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("fifowin.redb");
    let (code, _, stderr) = check(&dir);
    assert_eq!(
        (code, stderr),
        (
            1,
            format!(
                "fifowin: store check: no fifowin database in the data directory: {} does not exist\n",
                file.display()
            )
        )
    );
    std::fs::write(
        &file,
        b"this is not a database, whatever its name says".repeat(200),
    )
    .expect("write");
    let (code, stdout, stderr) = check(&dir);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        format!(
            "fifowin: store check: {} is damaged: not a database: its header is not redb's\n",
            file.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
