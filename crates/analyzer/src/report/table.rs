//! The terminal report: a header line, a percentile table, a risk table, the
//! reasons behind each verdict, and the verdict with its exit code. The row
//! builders are shared with the markdown renderer.

use super::grid::Grid;
use super::{PolicyCheck, Report, SourceReport};
use crate::duration::{fmt_ns, fmt_prob, fmt_signed_ns};
use std::io::{self, Write};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", headline(report))?;
    for line in input_lines(report) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    percentile_grid(report).text(out)?;
    writeln!(out)?;
    risk_grid(report).text(out)?;
    writeln!(out)?;
    for s in &report.sources {
        writeln!(out, "{}: {}", s.tag, s.verdict)?;
        for reason in &s.reasons {
            writeln!(out, "  - {reason}")?;
        }
        if let Some(p) = &s.policy {
            writeln!(out, "  policy {}", p.description)?;
        }
    }
    if let Some(line) = attempts_line(report) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "verdict: {} (exit {})",
        report.verdict, report.exit_code
    )
}

pub(super) fn headline(report: &Report) -> String {
    format!(
        "fifowin analyze: window {} ({}), target escape rate {} per retry",
        report.window,
        report.boundary.describe(),
        fmt_prob(report.target_escape)
    )
}

pub(super) fn input_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    for f in &report.inputs {
        use crate::source::InputKind;
        let what = match f.kind {
            InputKind::Hlog => format!("hlog, {} intervals", f.intervals),
            InputKind::Hgrm => "hgrm".to_string(),
            InputKind::Prometheus => "prometheus histogram".to_string(),
            InputKind::Attempts => {
                format!("attempts, {} messages, {} sends", f.messages, f.sends)
            }
            InputKind::Otlp => format!("otlp traces, {} messages, {} sends", f.messages, f.sends),
        };
        lines.push(format!(
            "input {}: {what}, {} lags, sources {}",
            f.path,
            f.samples,
            f.tags.join(", ")
        ));
        lines.extend(f.notes.iter().map(|n| format!("  note: {n}")));
    }
    lines
}

pub(super) fn attempts_line(report: &Report) -> Option<String> {
    report.attempts.as_ref().map(|a| {
        format!(
            "attempt logs: {} messages, {} sends, {} retries; {} duplicates delivered with the window anchored at the first accepted send",
            a.messages, a.sends, a.retries, a.delivered_duplicates
        )
    })
}

fn rows(report: &Report) -> impl Iterator<Item = &SourceReport> {
    let overall = (report.sources.len() > 1).then_some(&report.overall);
    report.sources.iter().chain(overall)
}

pub(super) fn percentile_grid(report: &Report) -> Grid {
    let mut g = Grid::new(&[
        "source", "n", "p50", "p90", "p99", "p99.9", "p99.99", "p99.999", "max",
    ]);
    for s in rows(report) {
        let mut cells = vec![s.tag.clone(), s.n.to_string()];
        for v in [
            s.p50_ns,
            s.p90_ns,
            s.p99_ns,
            s.p99_9_ns,
            s.p99_99_ns,
            s.p99_999_ns,
            s.max_ns,
        ] {
            cells.push(if s.n == 0 { "-".to_string() } else { fmt_ns(v) });
        }
        g.row(cells);
    }
    g
}

pub(super) fn risk_grid(report: &Report) -> Grid {
    let mut g = Grid::new(&[
        "source",
        "escapes",
        "p̂",
        "p upper",
        "tail P(≥W)",
        "W for ε",
        "Δmax",
        "margin",
        "verdict",
    ]);
    let w = report.window_ns as f64;
    for s in rows(report) {
        let escapes = if s.escapes_lo == s.escapes_hi {
            s.escapes_lo.to_string()
        } else {
            format!("{}–{}", s.escapes_lo, s.escapes_hi)
        };
        let tail = s.tail.as_ref();
        let bound = match &s.policy {
            None => "-".to_string(),
            Some(p) => p.bound.effective_ns.map_or("∞".to_string(), fmt_ns),
        };
        let margin = s.margins.observed_ns;
        g.row(vec![
            s.tag.clone(),
            escapes,
            fmt_prob(s.p_hat),
            fmt_prob(s.p_upper),
            tail.and_then(|t| t.p_window_upper)
                .map_or("-".to_string(), fmt_prob),
            tail.map_or("-".to_string(), |t| fmt_ns(t.window_for_target_ns as u64)),
            bound,
            format!(
                "{} ({:.0}%)",
                fmt_signed_ns(i128::from(margin)),
                margin as f64 / w * 100.0
            ),
            s.verdict.to_string(),
        ]);
    }
    g
}

pub(super) fn policy_lines(c: &PolicyCheck) -> Vec<(String, String)> {
    let opt = |v: Option<u64>| v.map_or("unbounded".to_string(), fmt_ns);
    let b = &c.bound;
    let mut lines = vec![
        ("Δmax (worst case)".to_string(), opt(b.delta_max_ns)),
        ("Δrt (read-timeout storm)".to_string(), opt(b.delta_rt_ns)),
        (
            "Δmax with Retry-After".to_string(),
            opt(b.delta_max_retry_after_ns),
        ),
        (
            "Σ backoff".to_string(),
            format!(
                "{} ({} throttled)",
                fmt_ns(b.backoff_sum_ns),
                fmt_ns(b.backoff_sum_throttled_ns)
            ),
        ),
    ];
    if let Some(h) = c.headroom {
        lines.push(("headroom W/Δmax".to_string(), format!("{h:.2}×")));
    }
    if let Some(m) = c.margin_ns {
        lines.push(("margin W − Δmax".to_string(), fmt_signed_ns(i128::from(m))));
    }
    lines
}

pub(super) fn render_policy(c: &PolicyCheck, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "fifowin policy: {}", c.description)?;
    writeln!(out, "window {}, guard {}", c.window, fmt_ns(c.guard_ns))?;
    writeln!(out)?;
    let lines = policy_lines(c);
    let width = lines
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in lines {
        writeln!(out, "{k}{}  {v}", " ".repeat(width - k.chars().count()))?;
    }
    writeln!(out)?;
    writeln!(out, "verdict: {} (exit {})", c.verdict, c.exit_code)?;
    for reason in &c.reasons {
        writeln!(out, "  - {reason}")?;
    }
    Ok(())
}
