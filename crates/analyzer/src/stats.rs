//! Escape-probability statistics (analyzer.md §4): the point estimate,
//! one-sided upper confidence bounds (Clopper–Pearson, Wilson, the rule of
//! three), the sample size needed to claim a rate, and a block bootstrap over
//! hlog intervals for when escapes cluster in incidents.

use crate::rng::SplitMix64;
use statrs::function::gamma::ln_gamma;

/// z for a one-sided 95% bound.
pub const Z_95_ONE_SIDED: f64 = 1.644_853_626_951_472_2;
/// z for a two-sided 95% interval.
pub const Z_95_TWO_SIDED: f64 = 1.959_963_984_540_054;
/// Bootstrap resamples when the log is small enough (see [`block_bootstrap_upper`]).
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// The Wilson score interval for k successes in n trials.
pub fn wilson_interval(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    let center = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    // At k = 0 the lower bound is exactly 0; the formula leaves rounding dust.
    let lo = if k == 0.0 {
        0.0
    } else {
        ((center - spread) / denom).max(0.0)
    };
    (lo, ((center + spread) / denom).min(1.0))
}

/// The exact (Clopper–Pearson) upper bound at confidence 1 − alpha, one-sided:
/// the p with P(Bin(n, p) ≤ k) = alpha, i.e. `BetaInv(1 − alpha; k + 1, n − k)`.
/// At k = 0 it is `1 − alpha^(1/n)`, the exact form of the rule of three.
pub fn clopper_pearson_upper(k: u64, n: u64, alpha: f64) -> f64 {
    if n == 0 || k >= n {
        return 1.0;
    }
    if k == 0 {
        // expm1 keeps the digits that `1 - alpha.powf(1/n)` loses at n = 10^6.
        return -(alpha.ln() / n as f64).exp_m1();
    }
    // P(X ≤ k) falls as p grows; the bound lies above k/n.
    bisect(k as f64 / n as f64, 1.0, |p| binomial_cdf(k, n, p) > alpha)
}

/// The exact lower bound at confidence 1 − alpha, one-sided: the p with
/// P(Bin(n, p) ≥ k) = alpha, i.e. `BetaInv(alpha; k, n − k + 1)`.
pub fn clopper_pearson_lower(k: u64, n: u64, alpha: f64) -> f64 {
    if n == 0 || k == 0 {
        return 0.0;
    }
    if k >= n {
        return alpha.powf(1.0 / n as f64);
    }
    bisect(0.0, k as f64 / n as f64, |p| {
        1.0 - binomial_cdf(k - 1, n, p) < alpha
    })
}

/// The boundary in `[lo, hi]` where `below` turns from true to false.
/// Statrs' `inv_beta_reg` can loop forever for large n, so the root is found
/// by a bounded bisection instead.
fn bisect(mut lo: f64, mut hi: f64, below: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// P(Bin(n, p) ≤ k), summed from k downwards until the terms stop mattering.
/// Each term comes from its neighbour, pmf(i − 1) = pmf(i)·i(1 − p)/((n − i + 1)p),
/// relative to pmf(k), whose logarithm comes from log-gamma; the running sum
/// is rescaled as it grows, so neither end overflows or underflows at n = 10^9.
fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return if k >= n { 1.0 } else { 0.0 };
    }
    let (kf, nf) = (k as f64, n as f64);
    let ln_pmf = ln_gamma(nf + 1.0) - ln_gamma(kf + 1.0) - ln_gamma(nf - kf + 1.0)
        + kf * p.ln()
        + (nf - kf) * (-p).ln_1p();
    const RESCALE: f64 = 1e250;
    let (mut term, mut sum, mut ln_scale) = (1.0f64, 1.0f64, ln_pmf);
    let odds = (1.0 - p) / p;
    let mut i = k;
    while i > 0 {
        term *= i as f64 / (n - i + 1) as f64 * odds;
        sum += term;
        i -= 1;
        if sum > RESCALE {
            term /= RESCALE;
            sum /= RESCALE;
            ln_scale += RESCALE.ln();
        }
        // Below the mode the terms only shrink, so a negligible term ends the sum.
        if term <= sum * 1e-17 && (i as f64) < nf * p {
            break;
        }
    }
    (ln_scale + sum.ln()).exp().min(1.0)
}

/// The rule of three: the approximate 95% upper bound 3/n when nothing was seen.
pub fn rule_of_three(n: u64) -> f64 {
    if n == 0 { 1.0 } else { 3.0 / n as f64 }
}

/// Observations with no escape needed to claim p <= eps at confidence 1 − alpha:
/// `ln(alpha) / ln(1 − eps)`, about 3/eps.
pub fn samples_needed(eps: f64, alpha: f64) -> u64 {
    (alpha.ln() / (-eps).ln_1p()).ceil() as u64
}

/// A one-sided upper bound on the pooled escape rate from resampling whole
/// intervals with replacement, so that escapes clustered in one incident
/// widen the bound as they should. `intervals` holds (n, escapes) per
/// interval. Returns `None` with fewer than two intervals. The number of
/// resamples shrinks for very long logs to keep the work near 5·10^7 steps.
pub fn block_bootstrap_upper(intervals: &[(u64, u64)], alpha: f64, seed: u64) -> Option<f64> {
    let m = intervals.len();
    if m < 2 {
        return None;
    }
    let resamples = BOOTSTRAP_RESAMPLES.min((50_000_000 / m).max(200));
    let mut rng = SplitMix64::new(seed);
    let mut estimates: Vec<f64> = (0..resamples)
        .map(|_| {
            let (mut n, mut k) = (0u64, 0u64);
            for _ in 0..m {
                let (ni, ki) = intervals[rng.below(m as u64) as usize];
                n += ni;
                k += ki;
            }
            if n == 0 { 0.0 } else { k as f64 / n as f64 }
        })
        .collect();
    estimates.sort_by(f64::total_cmp);
    let index = (((1.0 - alpha) * resamples as f64).ceil() as usize).clamp(1, resamples) - 1;
    Some(estimates[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn zero_of_a_million_is_the_rule_of_three() {
        let n = 1_000_000;
        let cp = clopper_pearson_upper(0, n, 0.05);
        assert!(close(cp, 2.995_730_5e-6, 1e-6), "{cp}");
        assert!(close(cp, 1.0 - 0.05f64.powf(1.0 / n as f64), 1e-6));
        assert_eq!(rule_of_three(n), 3e-6);
        assert_eq!(samples_needed(1e-6, 0.05), 2_995_731);
    }

    #[test]
    fn clopper_pearson_matches_published_values() {
        // 10 of 100, two-sided 95%: (0.0490, 0.1762).
        assert!(close(clopper_pearson_lower(10, 100, 0.025), 0.0490, 1e-3));
        assert!(close(clopper_pearson_upper(10, 100, 0.025), 0.1762, 1e-3));
        // 5 of 10^6, one-sided 95%: the Poisson limit (chi2(0.95, 12) / 2n = 10.513e-6).
        assert!(close(
            clopper_pearson_upper(5, 1_000_000, 0.05),
            10.5130e-6,
            1e-3
        ));
        assert_eq!(clopper_pearson_upper(7, 7, 0.05), 1.0);
        // 0.95^(1/n) is the lower bound when every trial succeeded.
        assert!(close(
            clopper_pearson_lower(20, 20, 0.05),
            0.05f64.powf(1.0 / 20.0),
            1e-12
        ));
    }

    #[test]
    fn clopper_pearson_is_fast_and_sane_at_large_n() {
        // statrs' inv_beta_reg never returns for inputs like these.
        for (k, n) in [
            (1u64, 20_000_000u64),
            (12_345, 10_000_000),
            (5_000_000, 10_000_000),
            (999, 1000),
        ] {
            let (lo, hi) = (
                clopper_pearson_lower(k, n, 0.05),
                clopper_pearson_upper(k, n, 0.05),
            );
            let p = k as f64 / n as f64;
            assert!(lo < p && p < hi && hi <= 1.0, "{k}/{n}: {lo} {hi}");
            // Normal approximation for large k: p ± 1.645·sqrt(p(1−p)/n).
            if k > 10_000 {
                let half = Z_95_ONE_SIDED * (p * (1.0 - p) / n as f64).sqrt();
                assert!(
                    close(hi - p, half, 0.02) && close(p - lo, half, 0.02),
                    "{k}/{n}: {lo} {hi} ±{half}"
                );
            }
        }
    }

    #[test]
    fn wilson_matches_published_values() {
        // 10 of 100 at 95%: (0.0552, 0.1744).
        let (lo, hi) = wilson_interval(10, 100, Z_95_TWO_SIDED);
        assert!(
            close(lo, 0.0552, 1e-3) && close(hi, 0.1744, 1e-3),
            "{lo} {hi}"
        );
        // 0 of n: the upper bound is z²/(n + z²).
        let (lo, hi) = wilson_interval(0, 1_000_000, Z_95_TWO_SIDED);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 3.841_44e-6, 1e-5), "{hi}");
        let (_, hi) = wilson_interval(0, 1_000_000, Z_95_ONE_SIDED);
        assert!(close(hi, 2.705_54e-6, 1e-5), "{hi}");
    }

    #[test]
    fn bootstrap_widens_for_clustered_escapes() {
        let spread: Vec<(u64, u64)> = (0..50).map(|_| (1000, 1)).collect();
        let clustered: Vec<(u64, u64)> = (0..50)
            .map(|i| (1000, if i == 0 { 50 } else { 0 }))
            .collect();
        let a = block_bootstrap_upper(&spread, 0.05, 1).unwrap();
        let b = block_bootstrap_upper(&clustered, 0.05, 1).unwrap();
        assert!(close(a, 1e-3, 1e-9), "{a}");
        assert!(b > 2e-3, "{b}");
        assert_eq!(block_bootstrap_upper(&[(10, 0)], 0.05, 1), None);
    }
}
