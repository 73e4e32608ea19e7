//! SVG plots written as text: the percentile plot (lag against 1/(1−q) on a
//! log axis, as HdrHistogram's plotter draws it) and the tail plot (CCDF,
//! log P(lag > x) against x, with the GPD extrapolation dashed). Both draw the
//! window as the SLA line.

use super::Report;
use crate::duration::fmt_window;
use crate::tail::GpdFit;
use std::fmt::Write;

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;
const COLORS: [&str; 8] = [
    "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
];
const WINDOW_COLOR: &str = "#d62728";

/// Maps data coordinates to the plot area.
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        LEFT + (v - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)
    }
    fn y(&self, v: f64) -> f64 {
        HEIGHT - BOTTOM - (v - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open(svg: &mut String, title: &str) {
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="28" font-size="16" text-anchor="middle">{}</text>"#,
        WIDTH / 2.0,
        escape(title)
    );
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="none" stroke="#333"/>"##,
        WIDTH - LEFT - RIGHT,
        HEIGHT - TOP - BOTTOM
    );
}

fn polyline(svg: &mut String, points: &[(f64, f64)], color: &str, dashed: bool) {
    if points.len() < 2 {
        return;
    }
    let pts: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let dash = if dashed {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let _ = writeln!(
        svg,
        r#"<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{}"/>"#,
        pts.join(" ")
    );
}

/// One entry per series, in series colours; a trailing note gets a dashed grey sample.
fn legend(svg: &mut String, tags: &[String], note: Option<&str>) {
    let x = LEFT + 12.0;
    let entries = tags
        .iter()
        .map(|t| (t.as_str(), false))
        .chain(note.map(|n| (n, true)));
    for (i, (label, dashed)) in entries.enumerate() {
        let y = TOP + 16.0 + 18.0 * i as f64;
        let (color, dash) = if dashed {
            ("#555", r#" stroke-dasharray="6 4""#)
        } else {
            (COLORS[i % COLORS.len()], "")
        };
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="{:.1}" x2="{}" y2="{:.1}" stroke="{color}" stroke-width="3"{dash}/>"#,
            y - 4.0,
            x + 16.0,
            y - 4.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{y}">{}</text>"#,
            x + 22.0,
            escape(label)
        );
    }
}

/// A step giving about six ticks over `span` ns that lands on round times:
/// 1, 2 or 5 times a power of ten below ten seconds, then clock-like steps.
fn nice_step(span: f64) -> f64 {
    const CLOCK_S: [f64; 12] = [
        15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0, 43200.0,
    ];
    let raw = span / 6.0;
    if raw > 10e9 {
        let clock = CLOCK_S.iter().map(|s| s * 1e9).find(|s| *s >= raw);
        return clock.unwrap_or_else(|| (raw / 86_400e9).ceil() * 86_400e9);
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Lag ticks on a linear axis in ns: `(position, label)`, labelled `30s`, `5m`, `1h 30m`.
fn lag_ticks(max_ns: f64) -> Vec<(f64, String)> {
    let step = nice_step(max_ns.max(1.0));
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|v| *v <= max_ns)
        .map(|v| {
            (
                v,
                if v == 0.0 {
                    "0".to_string()
                } else {
                    fmt_window(v as u64)
                },
            )
        })
        .collect()
}

/// Lag (y) against percentile (x = log10(1/(1−q))).
pub fn percentile_plot(report: &Report) -> String {
    let mut svg = String::new();
    open(
        &mut svg,
        &format!(
            "Retry lag by percentile: window {}, verdict {}",
            report.window, report.verdict
        ),
    );
    let decades = report
        .histograms
        .iter()
        .map(|(_, h)| (h.len().max(10) as f64).log10().ceil())
        .fold(2.0, f64::max);
    let top = report
        .histograms
        .iter()
        .map(|(_, h)| h.max())
        .max()
        .unwrap_or(0)
        .max(report.window_ns) as f64
        * 1.1;
    let f = Frame {
        x0: 0.0,
        x1: decades,
        y0: 0.0,
        y1: top,
    };
    for d in 0..=decades as u32 {
        let label = match d {
            0 => "0%".to_string(),
            _ => format!("{}%", 100.0 - 100.0 / 10f64.powi(d as i32)),
        };
        let x = f.x(f64::from(d));
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{}" stroke="#ddd"/>"##,
            HEIGHT - BOTTOM
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{}" text-anchor="middle">{label}</text>"#,
            HEIGHT - BOTTOM + 18.0
        );
    }
    for (v, label) in lag_ticks(top) {
        let y = f.y(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#eee"/>"##,
            WIDTH - RIGHT
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{label}</text>"#,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">percentile</text>"#,
        WIDTH / 2.0,
        HEIGHT - 16.0
    );
    for (i, (_, h)) in report.histograms.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        let points: Vec<(f64, f64)> = h
            .iter_quantiles(5)
            .map(|v| {
                let q = v.quantile_iterated_to();
                let x = if q >= 1.0 {
                    decades
                } else {
                    (1.0 / (1.0 - q)).log10().min(decades)
                };
                (f.x(x), f.y(v.value_iterated_to() as f64))
            })
            .collect();
        polyline(&mut svg, &points, COLORS[i % COLORS.len()], false);
    }
    window_line_horizontal(&mut svg, &f, report);
    legend(
        &mut svg,
        &report
            .histograms
            .iter()
            .map(|(t, _)| t.clone())
            .collect::<Vec<_>>(),
        None,
    );
    svg.push_str("</svg>\n");
    svg
}

fn window_line_horizontal(svg: &mut String, f: &Frame, report: &Report) {
    let y = f.y(report.window_ns as f64);
    let _ = writeln!(
        svg,
        r#"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="{WINDOW_COLOR}" stroke-width="2" stroke-dasharray="8 4"/>"#,
        WIDTH - RIGHT
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{:.1}" text-anchor="end" fill="{WINDOW_COLOR}">window {} (SLA)</text>"#,
        WIDTH - RIGHT - 6.0,
        y - 6.0,
        escape(&report.window)
    );
}

/// log10 P(lag > x) against x, with the tail fits extrapolated.
pub fn ccdf_plot(report: &Report) -> String {
    let mut svg = String::new();
    open(
        &mut svg,
        &format!(
            "Tail of the retry lag (CCDF): window {}, target {:.0e}",
            report.window, report.target_escape
        ),
    );
    let fits: Vec<Option<&GpdFit>> = report
        .histograms
        .iter()
        .map(|(tag, _)| {
            let source = report
                .sources
                .iter()
                .find(|s| &s.tag == tag)
                .unwrap_or(&report.overall);
            source.tail.as_ref().and_then(|t| t.fits.first())
        })
        .collect();
    let w = report.window_ns as f64;
    let max_lag = report
        .histograms
        .iter()
        .map(|(_, h)| h.max())
        .max()
        .unwrap_or(0) as f64;
    let right = max_lag.max(w) * 1.15;
    let smallest = report
        .histograms
        .iter()
        .map(|(_, h)| 1.0 / h.len().max(1) as f64)
        .fold(report.target_escape, f64::min);
    let bottom = smallest.log10().floor() - 1.0;
    let f = Frame {
        x0: 0.0,
        x1: right,
        y0: bottom,
        y1: 0.0,
    };
    for d in (bottom as i32)..=0 {
        let y = f.y(f64::from(d));
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#eee"/>"##,
            WIDTH - RIGHT
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">1e{d}</text>"#,
            LEFT - 6.0,
            y + 4.0
        );
    }
    for (v, label) in lag_ticks(right) {
        let x = f.x(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{}" stroke="#eee"/>"##,
            HEIGHT - BOTTOM
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{}" text-anchor="middle">{label}</text>"#,
            HEIGHT - BOTTOM + 18.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">lag x (P(lag &gt; x) on a log scale)</text>"#,
        WIDTH / 2.0,
        HEIGHT - 16.0
    );
    let clamp = |p: f64| p.log10().max(bottom);
    for (i, ((_, h), fit)) in report.histograms.iter().zip(&fits).enumerate() {
        let color = COLORS[i % COLORS.len()];
        let n = h.len() as f64;
        let mut points = vec![(f.x(0.0), f.y(0.0))];
        let mut seen = 0u64;
        for v in h.iter_recorded() {
            seen += v.count_at_value();
            let p = (n - seen as f64) / n;
            if p <= 0.0 {
                break;
            }
            points.push((f.x(v.value_iterated_to() as f64), f.y(clamp(p))));
        }
        polyline(&mut svg, &points, color, false);
        if let Some(fit) = fit {
            let u = fit.threshold_ns as f64;
            let curve: Vec<(f64, f64)> = (0..=80)
                .map(|k| u + (right - u) * f64::from(k) / 80.0)
                .map(|x| (x, fit.survival(x)))
                .take_while(|(_, p)| *p > 0.0 && p.log10() >= bottom)
                .map(|(x, p)| (f.x(x), f.y(p.log10())))
                .collect();
            polyline(&mut svg, &curve, color, true);
        }
    }
    let ty = f.y(report.target_escape.log10());
    let _ = writeln!(
        svg,
        r##"<line x1="{LEFT}" y1="{ty:.1}" x2="{}" y2="{ty:.1}" stroke="#555" stroke-dasharray="2 3"/>"##,
        WIDTH - RIGHT
    );
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="{:.1}" fill="#555">target ε</text>"##,
        LEFT + 6.0,
        ty - 4.0
    );
    let x = f.x(w);
    let _ = writeln!(
        svg,
        r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{}" stroke="{WINDOW_COLOR}" stroke-width="2" stroke-dasharray="8 4"/>"#,
        HEIGHT - BOTTOM
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{}" fill="{WINDOW_COLOR}">window {} (SLA)</text>"#,
        x + 6.0,
        TOP + 16.0,
        escape(&report.window)
    );
    let tags: Vec<String> = report.histograms.iter().map(|(t, _)| t.clone()).collect();
    let note = fits.iter().any(Option::is_some).then_some("GPD tail fit");
    legend(&mut svg, &tags, note);
    svg.push_str("</svg>\n");
    svg
}
