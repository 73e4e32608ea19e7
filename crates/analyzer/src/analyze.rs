//! The pure analysis: from a [`Config`] and the loaded [`Inputs`] to a
//! [`Report`], per source and overall. No I/O happens here.

use crate::config::{CONFIDENCE, Config};
use crate::policy::RetryPolicy;
use crate::report::{AttemptsReport, Margins, PolicyReport, Report, SCHEMA, SourceReport};
use crate::source::{Inputs, OVERALL_TAG, SourceData};
use crate::stats::{
    Z_95_ONE_SIDED, block_bootstrap_upper, clopper_pearson_upper, rule_of_three, samples_needed,
    wilson_interval,
};
use crate::tail;
use crate::verdict::{Evidence, Verdict, judge};

/// Seed of the interval bootstrap, fixed so reports are reproducible.
const BOOTSTRAP_SEED: u64 = 0x00f1_f0e1;

/// Analyzes every source, then the merged overall row, and decides the verdict
/// (the worst of the sources').
pub fn analyze(cfg: &Config, inputs: &Inputs) -> Report {
    let sources: Vec<SourceReport> = inputs
        .sources
        .iter()
        .map(|s| source_report(cfg, s, cfg.policies.for_tag(&s.tag)))
        .collect();
    let verdict = sources
        .iter()
        .map(|s| s.verdict)
        .max()
        .unwrap_or(Verdict::AtRisk);
    let merged = inputs.overall();
    let mut overall = source_report(cfg, &merged, None);
    overall.verdict = verdict;
    overall.reasons = sources
        .iter()
        .filter(|s| s.verdict == verdict)
        .map(|s| {
            format!(
                "{}: {}",
                s.tag,
                s.reasons.first().map_or("", String::as_str)
            )
        })
        .collect();
    let attempts = (!inputs.timelines.is_empty()).then(|| {
        let sends: usize = inputs.timelines.iter().map(|t| t.sends.len()).sum();
        AttemptsReport {
            messages: inputs.timelines.len() as u64,
            sends: sends as u64,
            retries: (sends - inputs.timelines.len()) as u64,
            delivered_duplicates: inputs
                .timelines
                .iter()
                .map(|t| t.delivered_duplicates() as u64)
                .sum(),
        }
    });
    let mut histograms: Vec<(String, hdrhistogram::Histogram<u64>)> = inputs
        .sources
        .iter()
        .map(|s| (s.tag.clone(), s.hist.clone()))
        .collect();
    if inputs.sources.len() > 1 {
        histograms.push((OVERALL_TAG.to_string(), merged.hist));
    }
    Report {
        schema: SCHEMA,
        window_ns: cfg.window_ns,
        window_ms: cfg.window_ns / 1_000_000,
        window: crate::duration::fmt_window(cfg.window_ns),
        boundary: cfg.boundary,
        target_escape: cfg.target_escape,
        guard_ns: cfg.guard_ns,
        confidence: CONFIDENCE,
        verdict,
        exit_code: verdict.exit_code(),
        inputs: inputs.files.clone(),
        sources,
        overall,
        attempts,
        histograms,
        hgrm_ratio: cfg.hgrm_unit.ns_per_unit(),
    }
}

/// Every statistic of one source, and its verdict.
pub fn source_report(cfg: &Config, s: &SourceData, policy: Option<&RetryPolicy>) -> SourceReport {
    let alpha = 1.0 - CONFIDENCE;
    let n = s.n();
    let h = &s.hist;
    // Quantiles are bucket tops; an exact maximum can lie below its bucket's top.
    let q = |q: f64| {
        if n == 0 {
            0
        } else {
            h.value_at_quantile(q).min(s.max_ns)
        }
    };
    let k = s.escapes_hi;
    let p_hat = if n == 0 { 0.0 } else { k as f64 / n as f64 };
    let p_upper = clopper_pearson_upper(k, n, alpha);
    let tail = tail::estimate(h, cfg.window_ns, cfg.target_escape, alpha);
    let policy = policy.map(|p| {
        let bound = p.bound();
        PolicyReport {
            description: p.describe(),
            headroom: bound
                .effective_ns
                .filter(|b| *b > 0)
                .map(|b| cfg.window_ns as f64 / b as f64),
            policy: p.clone(),
            bound,
        }
    });
    let judgement = judge(&Evidence {
        window_ns: cfg.window_ns,
        guard_ns: cfg.guard_ns,
        target: cfg.target_escape,
        n,
        escapes_lo: s.escapes_lo,
        escapes_hi: s.escapes_hi,
        max_lo_ns: s.max_lo_ns,
        p_upper,
        tail_upper: tail.as_ref().and_then(|t| t.p_window_upper),
        bound_ns: policy.as_ref().map(|p| p.bound.effective_ns),
    });
    let blocks: Vec<(u64, u64)> = s.intervals.iter().map(|i| (i.n, i.escapes_hi)).collect();
    let covered_s: f64 = s.intervals.iter().map(|i| i.length_s).sum();
    let retries_per_day = (covered_s > 0.0).then(|| n as f64 / covered_s * 86_400.0);
    let w = cfg.window_ns as i128;
    let upper_quantile = |q: f64| -> u64 {
        // Distribution-free upper confidence rank nq + z·sqrt(nq(1−q)).
        let nf = n as f64;
        let rank = nf * q + Z_95_ONE_SIDED * (nf * q * (1.0 - q)).sqrt();
        if n == 0 {
            0
        } else {
            h.value_at_quantile((rank / nf).min(1.0)).min(s.max_ns)
        }
    };
    SourceReport {
        tag: s.tag.clone(),
        n,
        exact_n: s.exact_n,
        min_ns: if n == 0 { 0 } else { h.min() },
        mean_ns: h.mean(),
        p50_ns: q(0.5),
        p90_ns: q(0.9),
        p99_ns: q(0.99),
        p99_9_ns: q(0.999),
        p99_99_ns: q(0.9999),
        p99_999_ns: q(0.99999),
        max_ns: s.max_ns,
        max_lo_ns: s.max_lo_ns,
        escapes_lo: s.escapes_lo,
        escapes_hi: s.escapes_hi,
        escapes_exact: n > 0 && s.exact_n == n,
        p_hat,
        p_upper,
        wilson_upper: wilson_interval(k, n, Z_95_ONE_SIDED).1,
        rule_of_three: (k == 0).then(|| rule_of_three(n)),
        samples_needed: samples_needed(cfg.target_escape, alpha),
        intervals: s.intervals.len(),
        intervals_with_escapes: s.intervals.iter().filter(|i| i.escapes_hi > 0).count(),
        p_upper_bootstrap: block_bootstrap_upper(&blocks, alpha, BOOTSTRAP_SEED),
        retries_per_day,
        escapes_per_day_upper: retries_per_day.map(|r| r * p_upper),
        margins: Margins {
            bound_ns: policy
                .as_ref()
                .and_then(|p| p.bound.effective_ns)
                .map(|b| (w - b as i128) as i64),
            observed_ns: (w - s.max_ns as i128) as i64,
            p99_9_upper_ns: (w - upper_quantile(0.999) as i128) as i64,
            p99_99_upper_ns: (w - upper_quantile(0.9999) as i128) as i64,
            p99_999_upper_ns: (w - upper_quantile(0.99999) as i128) as i64,
            target_ns: tail
                .as_ref()
                .map(|t| (w as f64 - t.window_for_target_ns) as i64),
        },
        tail,
        policy,
        verdict: judgement.verdict,
        reasons: judgement.reasons,
    }
}
