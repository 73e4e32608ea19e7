//! The replay plan: which lags the replay driver should send, and how many
//! escapes the server must report for them. A pure function of the loaded
//! inputs, deterministic for a given seed.
//!
//! For histogram inputs (hlog, hgrm), every sample whose bucket reaches
//! within `near_fraction` of the window (or past it) is replayed with weight
//! 1; the rest, the body, is represented by `body_samples` lags drawn with
//! replacement by inverse CDF over its buckets, each weighted
//! `body_count / drawn`. Every lag's exact value is drawn uniformly within its
//! bucket (SplitMix64 seeded with `seed`, sources in tag order), so the plan's
//! expected escapes, the lags that escape under the boundary rule, is exact
//! for a virtual clock. For attempt logs the plan is the message timelines
//! themselves with their delivered duplicates.

use crate::boundary::Boundary;
use crate::config::Config;
use crate::rng::SplitMix64;
use crate::source::{Inputs, SourceData, Timeline};
use serde::Serialize;

/// How a plan is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Lags drawn from each source's body.
    pub body_samples: usize,
    /// Buckets reaching above `window · (1 − near_fraction)` are replayed in full.
    pub near_fraction: f64,
    pub seed: u64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            body_samples: 1000,
            near_fraction: 0.01,
            seed: 0x5eed,
        }
    }
}

/// One lag to replay: send a message, then its duplicate `lag_ns` later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedLag {
    pub tag: String,
    pub lag_ns: u64,
    /// How many observed lags this one stands for.
    pub weight: f64,
    /// Whether the duplicate must be accepted (escape) under the boundary rule.
    pub escapes: bool,
}

/// What to replay and what to expect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayPlan {
    pub window_ns: u64,
    pub boundary: Boundary,
    pub seed: u64,
    /// Lags from histogram inputs, tail first within each source.
    pub lags: Vec<PlannedLag>,
    /// The number of `lags` that escape: the escapes a correct server reports.
    pub expected_escapes: u64,
    /// Σ weight over escaping lags: the escapes the inputs imply.
    pub expected_weighted_escapes: f64,
    /// Σ weight over all lags: the number of observed lags represented.
    pub represented_lags: f64,
    /// Attempt-log messages: send each at `t_send_ns − first send` after the start.
    pub timelines: Vec<Timeline>,
    /// Σ delivered duplicates over `timelines`.
    pub expected_delivered_duplicates: u64,
}

/// Draws the replay plan for `inputs` under `cfg`'s window and boundary rule.
pub fn replay_plan(cfg: &Config, inputs: &Inputs, opts: &PlanOptions) -> ReplayPlan {
    let mut rng = SplitMix64::new(opts.seed);
    let near = (cfg.window_ns as f64 * (1.0 - opts.near_fraction.clamp(0.0, 1.0))) as u64;
    let mut lags = Vec::new();
    for source in &inputs.sources {
        plan_source(source, cfg, near, opts.body_samples, &mut rng, &mut lags);
    }
    let expected_escapes = lags.iter().filter(|l| l.escapes).count() as u64;
    ReplayPlan {
        window_ns: cfg.window_ns,
        boundary: cfg.boundary,
        seed: opts.seed,
        expected_weighted_escapes: lags.iter().filter(|l| l.escapes).map(|l| l.weight).sum(),
        represented_lags: lags.iter().map(|l| l.weight).sum(),
        lags,
        expected_escapes,
        expected_delivered_duplicates: inputs
            .timelines
            .iter()
            .map(|t| t.delivered_duplicates() as u64)
            .sum(),
        timelines: inputs.timelines.clone(),
    }
}

fn plan_source(
    s: &SourceData,
    cfg: &Config,
    near: u64,
    body_samples: usize,
    rng: &mut SplitMix64,
    out: &mut Vec<PlannedLag>,
) {
    let h = &s.bucketed;
    let mut push = |lag_ns: u64, weight: f64| {
        out.push(PlannedLag {
            tag: s.tag.clone(),
            lag_ns,
            weight,
            escapes: cfg.boundary.escapes(lag_ns, cfg.window_ns),
        });
    };
    // (cumulative count, bucket low, bucket high) of the body, for inverse-CDF draws.
    let mut body: Vec<(u64, u64, u64)> = Vec::new();
    let mut body_count = 0u64;
    for v in h.iter_recorded() {
        let hi = v.value_iterated_to();
        let lo = h.lowest_equivalent(hi);
        if hi >= near {
            for _ in 0..v.count_at_value() {
                push(rng.between(lo, hi), 1.0);
            }
        } else {
            body_count += v.count_at_value();
            body.push((body_count, lo, hi));
        }
    }
    let draws = (body_samples as u64).min(body_count);
    if draws == 0 {
        return;
    }
    let weight = body_count as f64 / draws as f64;
    for _ in 0..draws {
        let r = rng.below(body_count);
        let i = body.partition_point(|(cum, _, _)| *cum <= r);
        let (_, lo, hi) = body[i];
        push(rng.between(lo, hi), weight);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::new_hist;

    #[test]
    fn keeps_the_tail_samples_the_body_and_exact_expectations() {
        let w = 300_000_000_000u64;
        let cfg = Config::with_window(w);
        let mut s = SourceData::new("sdk");
        let mut h = new_hist();
        h.record_n(1_000_000_000, 5000).unwrap();
        h.record_n(2_000_000_000, 5000).unwrap();
        h.record_n(w + w / 10, 3).unwrap(); // wholly above
        h.record_n(w - 1, 2).unwrap(); // straddles: value drawn inside the bucket
        h.record(w - w / 200).unwrap(); // within 1% below: replayed, cannot escape
        s.add_histogram(&h, w, cfg.boundary);
        s.finish();
        let inputs = Inputs {
            sources: vec![s],
            ..Inputs::default()
        };
        let plan = replay_plan(&cfg, &inputs, &PlanOptions::default());
        let tail: Vec<&PlannedLag> = plan.lags.iter().filter(|l| l.weight == 1.0).collect();
        assert_eq!(tail.len(), 6);
        assert_eq!(plan.lags.len(), 6 + 1000);
        assert!((plan.represented_lags - 10_006.0).abs() < 1e-6);
        let escaping = plan.lags.iter().filter(|l| l.lag_ns >= w).count() as u64;
        assert_eq!(plan.expected_escapes, escaping);
        assert!((3..=5).contains(&plan.expected_escapes));
        assert_eq!(plan.expected_weighted_escapes, plan.expected_escapes as f64);
        // Deterministic for a seed, different for another.
        assert_eq!(plan, replay_plan(&cfg, &inputs, &PlanOptions::default()));
        let other = replay_plan(
            &cfg,
            &inputs,
            &PlanOptions {
                seed: 1,
                ..PlanOptions::default()
            },
        );
        assert_ne!(plan.lags, other.lags);
        let body_ones = plan
            .lags
            .iter()
            .filter(|l| l.weight != 1.0 && l.lag_ns < 1_500_000_000)
            .count();
        assert!((400..600).contains(&body_ones), "{body_ones}");
    }
}
