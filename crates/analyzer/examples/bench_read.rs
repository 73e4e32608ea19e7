//! Benchmark (not a test): how fast interval logs are read, decoded and merged.
//!
//! Writes a large V2+DEFLATE interval log (two tags, one interval per tag per
//! "minute") into a temporary directory, then times `load_inputs` (read,
//! decode, bucket-aware escape counts, merge) and `analyze` over it, best of
//! several runs.
//!
//! ```text
//! cargo run --release -p fifowin-analyzer --example bench_read -- [INTERVALS] [VALUES_PER_INTERVAL] [RUNS]
//! ```

use base64::Engine;
use fifowin_analyzer::{Config, analyze, load_inputs};
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use std::io::Write;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("whole numbers"));
    let intervals = args.next().unwrap_or(20_000);
    let per_interval = args.next().unwrap_or(2_000);
    let runs = args.next().unwrap_or(5);

    let dir = std::env::temp_dir().join(format!("fifowin-bench-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("large.hlog");
    let started = Instant::now();
    let (bytes, samples) = write_log(&path, intervals, per_interval);
    println!(
        "wrote {intervals} intervals, {samples} samples, {:.1} MB in {:.2?}",
        bytes as f64 / 1e6,
        started.elapsed()
    );

    let cfg = Config::with_window(300_000_000_000);
    let mut best_load = Duration::MAX;
    let mut best_analyze = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let inputs = load_inputs(std::slice::from_ref(&path), &cfg).expect("the log reads back");
        best_load = best_load.min(t.elapsed());
        assert_eq!(inputs.overall().n(), samples);
        let t = Instant::now();
        let report = analyze(&cfg, &inputs);
        best_analyze = best_analyze.min(t.elapsed());
        assert_eq!(report.overall.n, samples);
    }
    let secs = best_load.as_secs_f64();
    println!("read+decode+merge: {best_load:.2?} (best of {runs})");
    println!("  {:.0} intervals/s", intervals as f64 / secs);
    println!("  {:.2e} samples/s", samples as f64 / secs);
    println!("  {:.1} MB/s of log text", bytes as f64 / 1e6 / secs);
    println!("analyze (percentiles, bounds, tail fit, bootstrap): {best_analyze:.2?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes `intervals` histograms alternating between tags `sdk` and `outbox`,
/// each of `per_interval` lags drawn from a long-tailed distribution.
fn write_log(path: &std::path::Path, intervals: usize, per_interval: usize) -> (u64, u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create the log"));
    writeln!(out, "#[Histogram log format version 1.3]").unwrap();
    writeln!(out, "#[StartTime: 1764000000.000 (seconds since epoch)]").unwrap();
    writeln!(
        out,
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
    )
    .unwrap();
    let mut serializer = V2DeflateSerializer::new();
    let mut buf = Vec::new();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut samples = 0u64;
    let mut bytes = 0u64;
    for i in 0..intervals {
        let mut h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000, 3).expect("bounds");
        for _ in 0..per_interval {
            // xorshift64*: a uniform draw, shaped into a log-uniform body with a rare long tail.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let u = (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
            let secs = if u < 1e-4 {
                30.0 + 600.0 * u * 1e4
            } else {
                10f64.powf(-2.0 + 3.0 * u)
            };
            h.record((secs * 1e9) as u64).expect("in range");
        }
        samples += h.len();
        buf.clear();
        serializer.serialize(&h, &mut buf).expect("serialize");
        let tag = if i % 2 == 0 { "sdk" } else { "outbox" };
        let line = format!(
            "Tag={tag},{:.3},60.000,{:.3},{}\n",
            (i / 2) as f64 * 60.0,
            h.max() as f64 / 1e6,
            base64::engine::general_purpose::STANDARD.encode(&buf)
        );
        bytes += line.len() as u64;
        out.write_all(line.as_bytes()).unwrap();
    }
    out.flush().unwrap();
    (bytes, samples)
}
