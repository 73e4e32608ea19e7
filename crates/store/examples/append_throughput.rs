//! What bounds durable mode on this machine: the latency of one fsync, the
//! command log's append throughput with 2, 16 and 64 concurrent appenders
//! (group commit: one fsync per batch), and how long appends wait while a
//! snapshot is written.
//!
//! `cargo run -p fifowin-store --release --example append_throughput [DIR] [SECONDS]`
//! (DIR defaults to a directory under the system temp dir; use the disk the
//! data directory will live on).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fifowin_store::Log;

/// A record the size of a small SendMessage's log entry.
const RECORD_BYTES: usize = 300;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// 4 KiB `fdatasync`ed, 300 times: overwritten in place (what a commit into
/// a zero-filled segment costs), or appended (what it costs when the file
/// grows, as in a segment made without its spare).
fn fsync_latency(dir: &Path, overwrite: bool) -> std::io::Result<Vec<Duration>> {
    use std::io::{Seek, SeekFrom, Write};
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path)?;
    let page = [0x5au8; 4096];
    file.write_all(&page)?;
    file.sync_all()?;
    let mut times = Vec::new();
    for _ in 0..300 {
        if overwrite {
            file.seek(SeekFrom::Start(0))?;
        }
        file.write_all(&page)?;
        let start = Instant::now();
        file.sync_data()?;
        times.push(start.elapsed());
    }
    std::fs::remove_file(&path)?;
    times.sort();
    Ok(times)
}

struct Run {
    appends: u64,
    seconds: f64,
    latencies: Vec<Duration>,
}

/// `appenders` tasks appending back to back for `seconds`; with `snapshot`,
/// a snapshot of that many bytes is written once they are under way.
async fn appenders(dir: &Path, appenders: usize, seconds: f64, snapshot: Option<usize>) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    let opened = Log::open(dir).expect("open the log");
    // Made before the appenders start: filling it would hold up their thread.
    let snapshot = snapshot.map(|bytes| vec![1u8; bytes]);
    let log = Arc::new(opened.log);
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..appenders)
        .map(|_| {
            let (log, stop, count) = (Arc::clone(&log), Arc::clone(&stop), Arc::clone(&count));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let begun = Instant::now();
                    log.append(vec![7; RECORD_BYTES]).await.expect("append");
                    latencies.push(begun.elapsed());
                    count.fetch_add(1, Ordering::Relaxed);
                }
                latencies
            })
        })
        .collect();
    if let Some(bytes) = snapshot {
        let size = bytes.len();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let covers = count.load(Ordering::Relaxed);
        let begun = Instant::now();
        let info = log.write_snapshot(covers, bytes).await.expect("snapshot");
        println!(
            "    snapshot of {} MiB covering {} records written in {:.0} ms while appending",
            size >> 20,
            info.covers,
            begun.elapsed().as_secs_f64() * 1e3,
        );
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds).saturating_sub(start.elapsed())).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("appender"));
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort();
    Run {
        appends: count.load(Ordering::Relaxed),
        seconds,
        latencies,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir: PathBuf = args.next().map_or_else(
        || std::env::temp_dir().join(format!("fifowin-append-{}", std::process::id())),
        PathBuf::from,
    );
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    std::fs::create_dir_all(&dir).expect("create the directory");
    for (overwrite, how) in [(true, "overwriting"), (false, "appending")] {
        let fsync = fsync_latency(&dir, overwrite).expect("measure fsync");
        println!(
            "fsync (fdatasync of 4 KiB, {how}) in {}: median {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
            dir.display(),
            ms(percentile(&fsync, 0.5)),
            ms(percentile(&fsync, 0.99)),
            ms(percentile(&fsync, 1.0)),
            fsync.len()
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let log_dir = dir.join("log");
    println!("appends of {RECORD_BYTES} B, each acknowledged after its fsynced commit:");
    for n in [2, 16, 64] {
        let run = runtime.block_on(appenders(&log_dir, n, seconds, None));
        println!(
            "  {n:>2} appenders: {:>8.0} appends/s, latency median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            run.appends as f64 / run.seconds,
            ms(percentile(&run.latencies, 0.5)),
            ms(percentile(&run.latencies, 0.99)),
            ms(percentile(&run.latencies, 1.0)),
        );
    }
    println!("16 appenders while a 64 MiB snapshot is written:");
    let run = runtime.block_on(appenders(&log_dir, 16, seconds, Some(64 << 20)));
    println!(
        "  {:>8.0} appends/s, latency median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        run.appends as f64 / run.seconds,
        ms(percentile(&run.latencies, 0.5)),
        ms(percentile(&run.latencies, 0.99)),
        ms(percentile(&run.latencies, 1.0)),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
