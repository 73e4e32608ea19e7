//! The comparison table: results files (one JSON [`Report`] per line, from
//! `--json-out`) -> a Markdown table of every label's throughput per scenario, with
//! ratios subject/other (above 1: the subject is ahead), and the latency tables.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::BenchError;
use crate::stats::{Micros, Report};

/// Reads every report of a results file.
pub fn read(path: &Path) -> Result<Vec<Report>, BenchError> {
    let file_error = |source| BenchError::File {
        path: path.to_path_buf(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(file_error)?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .map_err(|e| file_error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
        })
        .collect()
}

/// The figure a scenario is compared on, and whether higher is better.
fn figure(r: &Report) -> (f64, bool) {
    match r.scenario.as_str() {
        "send-unique" | "send-dup50" => (r.req_per_s, true),
        // Producers are paced: what differs is how soon a parked poll gets a message.
        "long-poll" => (r.delivery_p50_us.unwrap_or(f64::NAN), false),
        _ => (r.msg_per_s, true),
    }
}

fn unit(scenario: &str) -> &'static str {
    match scenario {
        "send-unique" | "send-dup50" => "req/s",
        "long-poll" => "delivery p50",
        _ => "msg/s",
    }
}

/// The median run of those given (for an even count, the worse of the middle
/// two), by the figure the scenario is compared on: one run can be unlucky on a
/// shared machine, and the median of several is what another run would show.
fn median(mut runs: Vec<&Report>) -> Option<&Report> {
    // Worst first.
    runs.sort_by(|a, b| {
        let ((x, higher_better), (y, _)) = (figure(a), figure(b));
        let order = x.total_cmp(&y);
        if higher_better {
            order
        } else {
            order.reverse()
        }
    });
    runs.get(runs.len().saturating_sub(1) / 2).copied()
}

fn cell(r: Option<&Report>, failed_checks: usize, runs: usize) -> String {
    let Some(r) = r else {
        return "—".into();
    };
    let (value, _) = figure(r);
    let mut s = if r.scenario == "long-poll" {
        Micros(value).to_string()
    } else {
        format!("{value:.0}")
    };
    if failed_checks > 0 {
        if runs > 1 {
            let _ = write!(s, " (check FAILED in {failed_checks} of {runs} runs)");
        } else {
            s.push_str(" (check FAILED)");
        }
    }
    if r.errors > 0 {
        let _ = write!(s, " ({} errors)", r.errors);
    }
    s
}

fn ratio(subject: Option<&Report>, other: Option<&Report>) -> String {
    let (Some(a), Some(b)) = (subject, other) else {
        return "—".into();
    };
    let ((x, higher_better), (y, _)) = (figure(a), figure(b));
    let r = if higher_better { x / y } else { y / x };
    if r.is_finite() {
        format!("{r:.2}x")
    } else {
        "—".into()
    }
}

fn ordered_unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Renders the tables. Closed-loop runs (and long-poll, whose producers are always
/// paced) are compared; other open-loop runs (--rate) are listed with their latencies.
pub fn render(reports: &[Report], subject: &str) -> String {
    // long-poll always paces its producers; it belongs with the compared runs.
    let paced = |r: &Report| r.rate.is_some() && r.scenario != "long-poll";
    let closed: Vec<&Report> = reports.iter().filter(|r| !paced(r)).collect();
    let mut labels = ordered_unique(closed.iter().map(|r| r.label.as_str()));
    labels.retain(|l| *l != subject);
    labels.insert(0, subject);
    let scenarios = ordered_unique(closed.iter().map(|r| r.scenario.as_str()));
    let runs = |label: &str, scenario: &str| -> Vec<&Report> {
        closed
            .iter()
            .filter(|r| r.label == label && r.scenario == scenario)
            .copied()
            .collect()
    };
    let find = |label: &str, scenario: &str| median(runs(label, scenario));
    let most_runs = scenarios
        .iter()
        .flat_map(|s| labels.iter().map(|l| runs(l, s).len()))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    if most_runs > 1 {
        let _ = writeln!(
            out,
            "Each figure is the median of a label's runs of a scenario (up to {most_runs}).\n"
        );
    }
    let others: Vec<&str> = labels[1..].to_vec();
    let _ = write!(out, "| scenario | figure |");
    for l in &labels {
        let _ = write!(out, " {l} |");
    }
    for o in &others {
        let _ = write!(out, " {subject}/{o} |");
    }
    out.push('\n');
    out.push_str(&"|---".repeat(2 + labels.len() + others.len()));
    out.push_str("|\n");
    for s in &scenarios {
        let _ = write!(out, "| {s} | {} |", unit(s));
        for l in &labels {
            let all = runs(l, s);
            let failed = all.iter().filter(|r| r.check.passed == Some(false)).count();
            let _ = write!(out, " {} |", cell(median(all.clone()), failed, all.len()));
        }
        for o in &others {
            let _ = write!(out, " {} |", ratio(find(subject, s), find(o, s)));
        }
        out.push('\n');
    }
    out.push_str("\nLatency per request, p50 / p99 / p99.9 (long-poll: producer sends; delivery p99 after the slash-separated figures):\n\n");
    let _ = write!(out, "| scenario |");
    for l in &labels {
        let _ = write!(out, " {l} |");
    }
    out.push('\n');
    out.push_str(&"|---".repeat(1 + labels.len()));
    out.push_str("|\n");
    for s in &scenarios {
        let _ = write!(out, "| {s} |");
        for l in &labels {
            match find(l, s) {
                Some(r) => {
                    let _ = write!(
                        out,
                        " {} / {} / {}",
                        Micros(r.p50_us),
                        Micros(r.p99_us),
                        Micros(r.p999_us)
                    );
                    if let Some(d) = r.delivery_p99_us {
                        let _ = write!(out, " (delivery p99 {})", Micros(d));
                    }
                    out.push_str(" |");
                }
                None => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    let open: Vec<&Report> = reports.iter().filter(|r| paced(r)).collect();
    open_loop(&mut out, &open);
    out
}

/// Every open-loop run, then the median p99 of each label's runs of a scenario.
fn open_loop(out: &mut String, open: &[&Report]) {
    if !open.is_empty() {
        out.push_str("\nOpen loop (fixed request rate):\n\n| label | scenario | target req/s | achieved req/s | p50 | p99 | p99.9 | max | errors | generator off-core |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for r in open {
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.0} | {} | {} | {} | {} | {} | {} |",
                r.label,
                r.scenario,
                r.rate.unwrap_or(0.0),
                r.req_per_s,
                Micros(r.p50_us),
                Micros(r.p99_us),
                Micros(r.p999_us),
                Micros(r.max_us),
                r.errors,
                r.generator_off_core_ms
                    .map_or("n.m.".to_string(), |ms| format!("{ms:.1} ms"))
            );
        }
        let groups = ordered_unique(open.iter().map(|r| r.scenario.as_str()));
        for label in ordered_unique(open.iter().map(|r| r.label.as_str())) {
            for scenario in &groups {
                let mut p99: Vec<f64> = open
                    .iter()
                    .filter(|r| r.label == label && r.scenario == *scenario)
                    .map(|r| r.p99_us)
                    .collect();
                if p99.len() < 2 {
                    continue;
                }
                p99.sort_by(f64::total_cmp);
                // The worse of the middle two for an even count.
                let median = p99[p99.len() / 2];
                let _ = writeln!(
                    out,
                    "\n{label} {scenario} open loop: median p99 {} over {} runs.",
                    Micros(median),
                    p99.len()
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Check;

    fn report(label: &str, scenario: &str, req: f64, msg: f64) -> Report {
        Report {
            label: label.into(),
            scenario: scenario.into(),
            endpoint: "http://127.0.0.1:1/".into(),
            connections: 2,
            rate: None,
            seconds: 5.0,
            requests: 1,
            messages: 1,
            errors: 0,
            req_per_s: req,
            msg_per_s: msg,
            p50_us: 80.0,
            p99_us: 150.0,
            p999_us: 400.0,
            max_us: 900.0,
            delivery_p50_us: None,
            delivery_p99_us: None,
            generator_off_core_ms: None,
            check: Check {
                passed: Some(true),
                details: vec![],
            },
            error_samples: vec![],
        }
    }

    #[test]
    fn ratios_divide_the_subject_by_each_other_label() {
        let reports = vec![
            report("peer", "send-unique", 10_000.0, 10_000.0),
            report("fifowin", "send-unique", 30_000.0, 30_000.0),
            report("fifowin", "send-batch10", 5_000.0, 50_000.0),
        ];
        let table = render(&reports, "fifowin");
        let first_row = table.lines().nth(2).unwrap();
        assert_eq!(first_row, "| send-unique | req/s | 30000 | 10000 | 3.00x |");
        assert!(
            table.contains("| send-batch10 | msg/s | 50000 | — | — |"),
            "{table}"
        );
    }

    #[test]
    fn repeated_runs_show_their_median_and_any_failed_check() {
        let mut failed = report("peer", "send-unique", 9_000.0, 9_000.0);
        failed.check.passed = Some(false);
        let reports = vec![
            report("fifowin", "send-unique", 30_000.0, 30_000.0),
            report("fifowin", "send-unique", 10_000.0, 10_000.0),
            report("fifowin", "send-unique", 20_000.0, 20_000.0),
            report("peer", "send-unique", 12_000.0, 12_000.0),
            failed,
        ];
        let table = render(&reports, "fifowin");
        assert!(table.starts_with("Each figure is the median"), "{table}");
        assert!(
            table.contains(
                "| send-unique | req/s | 20000 | 9000 (check FAILED in 1 of 2 runs) | 2.22x |"
            ),
            "{table}"
        );
    }

    #[test]
    fn open_loop_runs_are_listed_with_their_median_p99() {
        let mut runs = Vec::new();
        for (p99, off_core) in [(900.0, Some(12.25)), (3_000.0, Some(4.0)), (700.0, None)] {
            let mut r = report("fifowin", "send-unique", 15_000.0, 15_000.0);
            r.rate = Some(15_000.0);
            r.p99_us = p99;
            r.generator_off_core_ms = off_core;
            runs.push(r);
        }
        let table = render(&runs, "fifowin");
        assert_eq!(
            table.matches("| fifowin | send-unique | 15000 |").count(),
            3
        );
        assert!(
            table.contains("fifowin send-unique open loop: median p99 900µs over 3 runs."),
            "{table}"
        );
        // The generator's wait for a core, where the run measured it.
        assert!(
            table.contains("| 900µs |") && table.contains("| 0 | 12.2 ms |"),
            "{table}"
        );
        assert!(
            table.contains("| 700µs |") && table.contains("| 0 | n.m. |"),
            "{table}"
        );
    }
}
