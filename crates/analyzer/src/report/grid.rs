//! A minimal table of strings rendered as aligned text or as a markdown table,
//! so the terminal and markdown reports show the same rows.

use std::io::{self, Write};

/// A header and rows; the first column is left-aligned, the rest right-aligned.
pub(crate) struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Grid {
    pub(crate) fn new(header: &[&str]) -> Grid {
        Grid {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        widths
    }

    /// Two spaces between columns, a rule under the header.
    pub(crate) fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let widths = self.widths();
        let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                let pad = w.saturating_sub(cell.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if i == 0 {
                    s.push_str(cell);
                    s.push_str(&" ".repeat(pad));
                } else {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(cell);
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(&self.header, out)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, out)?;
        for row in &self.rows {
            line(row, out)?;
        }
        Ok(())
    }

    /// A GitHub-flavoured markdown table.
    pub(crate) fn markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        let escape = |c: &String| c.replace('|', "\\|");
        writeln!(
            out,
            "| {} |",
            self.header
                .iter()
                .map(escape)
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| if i == 0 { ":---" } else { "---:" })
            .collect();
        writeln!(out, "| {} |", align.join(" | "))?;
        for row in &self.rows {
            writeln!(
                out,
                "| {} |",
                row.iter().map(escape).collect::<Vec<_>>().join(" | ")
            )?;
        }
        Ok(())
    }
}
