//! The markdown report, for CI job summaries and pull-request comments: the
//! same tables as the terminal report under a heading that carries the verdict.

use super::table::{
    attempts_line, headline, input_lines, percentile_grid, policy_lines, risk_grid,
};
use super::{PolicyCheck, Report};
use std::io::{self, Write};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "## Window risk: {} (exit {})",
        report.verdict, report.exit_code
    )?;
    writeln!(out)?;
    writeln!(out, "{}", headline(report))?;
    writeln!(out)?;
    for line in input_lines(report) {
        // Notes come indented under their input: a nested list item here.
        match line.strip_prefix("  ") {
            Some(note) => writeln!(out, "  - {note}")?,
            None => writeln!(out, "- {line}")?,
        }
    }
    if let Some(line) = attempts_line(report) {
        writeln!(out, "- {line}")?;
    }
    writeln!(out)?;
    writeln!(out, "### Retry lags")?;
    writeln!(out)?;
    percentile_grid(report).markdown(out)?;
    writeln!(out)?;
    writeln!(out, "### Escapes")?;
    writeln!(out)?;
    risk_grid(report).markdown(out)?;
    writeln!(out)?;
    writeln!(out, "### Why")?;
    writeln!(out)?;
    for s in &report.sources {
        writeln!(out, "- **{}**: {}", s.tag, s.verdict)?;
        for reason in &s.reasons {
            writeln!(out, "  - {reason}")?;
        }
    }
    Ok(())
}

pub(super) fn render_policy(c: &PolicyCheck, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Retry policy: {} (exit {})", c.verdict, c.exit_code)?;
    writeln!(out)?;
    writeln!(out, "{}; window {}", c.description, c.window)?;
    writeln!(out)?;
    writeln!(out, "| quantity | value |")?;
    writeln!(out, "| :--- | ---: |")?;
    for (k, v) in policy_lines(c) {
        writeln!(out, "| {k} | {v} |")?;
    }
    writeln!(out)?;
    for reason in &c.reasons {
        writeln!(out, "- {reason}")?;
    }
    Ok(())
}
