//! The JSON report: pretty-printed `serde_json` of the report types, one
//! document followed by a newline.

use super::{PolicyCheck, Report};
use std::io::{self, Write};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

pub(super) fn render_policy(check: &PolicyCheck, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, check)?;
    writeln!(out)
}
