//! A data directory is one process's: while a child process (this test binary,
//! re-run with an environment variable) holds the log open, opening it here is
//! an error naming the directory; once the child is killed with SIGKILL, the
//! lock goes with it and the directory opens.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use fifowin_store::{Log, StoreError};

const CHILD_ENV: &str = "FIFOWIN_STORE_LOCK_CHILD_DIR";
const TEST_NAME: &str = "a_second_process_on_a_data_directory_is_refused_until_the_first_dies";

#[test]
fn a_second_process_on_a_data_directory_is_refused_until_the_first_dies() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        let opened = Log::open(std::path::Path::new(&dir)).expect("the child opens the log");
        let mut out = std::io::stdout().lock();
        // libtest may have written "test NAME ... " on this line already.
        let _ = writeln!(out, "open");
        let _ = out.flush();
        // Held until the parent kills this process.
        std::thread::sleep(std::time::Duration::from_secs(60));
        drop(opened);
        return;
    }
    let dir = std::env::temp_dir().join(format!("fifowin-store-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the child");
    let stdout = child.stdout.take().expect("piped");
    let opened = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.ends_with("open"));
    assert!(opened, "the child opened the log");
    let err = Log::open(&dir).expect_err("the directory is held by the child");
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "the data directory {} is in use by another fifowin process ({} is locked)",
            dir.display(),
            dir.join(fifowin_store::LOCK_FILE).display()
        )
    );
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let reopened = Log::open(&dir).expect("the lock died with the child");
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
}
