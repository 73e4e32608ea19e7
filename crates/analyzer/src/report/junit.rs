//! The JUnit XML report, for CI systems that show test results: one test
//! case per source; ESCAPING and AT RISK are failures whose message carries
//! the reasons, SAFE and PROBABLY SAFE pass. The file input notes and the
//! source's figures go to `<system-out>`.
//!
//! Written by hand rather than through an XML crate: five elements and one
//! escaping rule do not need a library.

use super::Report;
use crate::duration::{fmt_ns, fmt_prob};
use crate::verdict::Verdict;
use std::io::{self, Write};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let failures = report.sources.iter().filter(|s| fails(s.verdict)).count();
    let tests = report.sources.len();
    let suite = format!("fifowin analyze (window {})", report.window);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="fifowin analyze" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#,
        escape(&suite)
    )?;
    for s in &report.sources {
        writeln!(
            out,
            r#"    <testcase classname="fifowin.analyze" name="{}">"#,
            escape(&s.tag)
        )?;
        if fails(s.verdict) {
            let message = format!("{}: {}", s.verdict, s.reasons.join("; "));
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape(s.verdict.as_str()),
                escape(&message),
                escape(&s.reasons.join("\n"))
            )?;
        }
        let figures = format!(
            "verdict {}; n {}; escapes [{}, {}]; p upper {}; max {}",
            s.verdict,
            s.n,
            s.escapes_lo,
            s.escapes_hi,
            fmt_prob(s.p_upper),
            fmt_ns(s.max_ns)
        );
        let notes: Vec<&str> = report
            .inputs
            .iter()
            .filter(|f| f.tags.contains(&s.tag))
            .flat_map(|f| f.notes.iter().map(String::as_str))
            .collect();
        let mut text = figures;
        for note in notes {
            text.push_str("\nnote: ");
            text.push_str(note);
        }
        writeln!(out, "      <system-out>{}</system-out>", escape(&text))?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn fails(verdict: Verdict) -> bool {
    match verdict {
        Verdict::Safe | Verdict::ProbablySafe => false,
        Verdict::AtRisk | Verdict::Escaping => true,
    }
}

/// Escapes text for an attribute or element; drops the control characters
/// XML 1.0 cannot hold at all.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;"
        );
    }
}
