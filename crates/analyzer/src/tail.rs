//! Tail extrapolation by peaks over threshold (analyzer.md §4): a generalized
//! Pareto fit (Hosking–Wallis probability-weighted moments) to the lags above
//! p99…p99.9, giving P(lag ≥ window) beyond the observed data and the window
//! needed for a target escape rate. The exponential fit (ξ = 0) is reported
//! beside it as the optimistic value.

use crate::stats::clopper_pearson_upper;
use hdrhistogram::Histogram;
use serde::Serialize;

/// Thresholds tried, as quantiles of the lags.
pub const THRESHOLD_QUANTILES: [f64; 3] = [0.99, 0.995, 0.999];
/// Fewer exceedances than this make a fit meaningless.
pub const MIN_EXCEEDANCES: u64 = 100;

/// A GPD fitted to the lags above one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpdFit {
    /// The threshold as a quantile, and its value (the top of its bucket).
    pub quantile: f64,
    pub threshold_ns: u64,
    /// n_u: lags in buckets above the threshold; n: all lags.
    pub exceedances: u64,
    pub n: u64,
    /// Shape ξ (> 0: heavy tail; < 0: finite endpoint) and scale σ in ns.
    pub xi: f64,
    pub sigma_ns: f64,
    /// Scale of the exponential fit (the mean excess).
    pub exp_sigma_ns: f64,
}

impl GpdFit {
    fn rate(&self) -> f64 {
        self.exceedances as f64 / self.n as f64
    }

    /// P(X > x | X > u).
    fn conditional(&self, x: f64) -> f64 {
        let y = (x - self.threshold_ns as f64).max(0.0);
        if self.xi.abs() < 1e-9 {
            (-y / self.sigma_ns).exp()
        } else {
            let base = 1.0 + self.xi * y / self.sigma_ns;
            if base <= 0.0 {
                0.0
            } else {
                base.powf(-1.0 / self.xi)
            }
        }
    }

    /// P(X > x), for x above the threshold.
    pub fn survival(&self, x_ns: f64) -> f64 {
        self.rate() * self.conditional(x_ns)
    }

    /// P(X > x) under the exponential fit.
    pub fn survival_exponential(&self, x_ns: f64) -> f64 {
        let y = (x_ns - self.threshold_ns as f64).max(0.0);
        self.rate() * (-y / self.exp_sigma_ns).exp()
    }

    /// The lag exceeded with probability `eps`: the window a target rate needs.
    pub fn return_level(&self, eps: f64) -> f64 {
        let u = self.threshold_ns as f64;
        let ratio = self.rate() / eps;
        let level = if self.xi.abs() < 1e-9 {
            u + self.sigma_ns * ratio.ln()
        } else {
            u + self.sigma_ns / self.xi * (ratio.powf(self.xi) - 1.0)
        };
        level.max(0.0)
    }

    /// The largest lag the fit allows, when ξ < 0.
    pub fn endpoint(&self) -> Option<f64> {
        (self.xi < 0.0).then(|| self.threshold_ns as f64 - self.sigma_ns / self.xi)
    }
}

/// The tail analysis of one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TailEstimate {
    /// Fits at each threshold with enough exceedances; the first is the primary one.
    pub fits: Vec<GpdFit>,
    /// P(lag ≥ window) from the primary fit; `None` when the window is not above its threshold.
    pub p_window: Option<f64>,
    /// A conservative upper bound: over all fits, the Clopper–Pearson upper
    /// bound of n_u/n times the fitted conditional tail at the window.
    pub p_window_upper: Option<f64>,
    /// P(lag ≥ window) under the exponential fit (optimistic).
    pub p_window_exponential: Option<f64>,
    /// The window for which the primary fit gives the target rate.
    pub window_for_target_ns: f64,
}

/// Fits the tail of `h`, or `None` when there are too few lags above p99.
pub fn estimate(
    h: &Histogram<u64>,
    window_ns: u64,
    target: f64,
    alpha: f64,
) -> Option<TailEstimate> {
    let fits: Vec<GpdFit> = THRESHOLD_QUANTILES
        .iter()
        .filter_map(|q| fit_at(h, *q))
        .collect();
    let primary = fits.first()?;
    let w = window_ns as f64;
    let above = |f: &GpdFit| f.threshold_ns < window_ns;
    let p_window = above(primary).then(|| primary.survival(w));
    let p_window_exponential = above(primary).then(|| primary.survival_exponential(w));
    let p_window_upper = fits
        .iter()
        .filter(|f| above(f))
        .map(|f| clopper_pearson_upper(f.exceedances, f.n, alpha) * f.conditional(w))
        .reduce(f64::max);
    Some(TailEstimate {
        window_for_target_ns: primary.return_level(target),
        fits,
        p_window,
        p_window_upper,
        p_window_exponential,
    })
}

/// Fits a GPD to the lags in buckets above the `q` quantile, each bucket's
/// samples placed at its median value.
pub fn fit_at(h: &Histogram<u64>, q: f64) -> Option<GpdFit> {
    let n = h.len();
    if n == 0 {
        return None;
    }
    let u = h.value_at_quantile(q);
    let blocks: Vec<(f64, u64)> = h
        .iter_recorded()
        .filter(|v| h.lowest_equivalent(v.value_iterated_to()) > u)
        .map(|v| {
            (
                (h.median_equivalent(v.value_iterated_to()) - u) as f64,
                v.count_at_value(),
            )
        })
        .collect();
    let exceedances: u64 = blocks.iter().map(|b| b.1).sum();
    if exceedances < MIN_EXCEEDANCES {
        return None;
    }
    let (xi, sigma, mean) = pwm(&blocks)?;
    Some(GpdFit {
        quantile: q,
        threshold_ns: u,
        exceedances,
        n,
        xi,
        sigma_ns: sigma,
        exp_sigma_ns: mean,
    })
}

/// Probability-weighted-moment estimates (ξ, σ, mean) from ascending
/// (excess, count) blocks:
/// a₀ = ȳ, a₁ = (1/m) Σ_j ((m − j)/(m − 1)) y_(j), ξ = 2 − a₀/(a₀ − 2a₁),
/// σ = 2a₀a₁/(a₀ − 2a₁).
fn pwm(blocks: &[(f64, u64)]) -> Option<(f64, f64, f64)> {
    let m: u64 = blocks.iter().map(|b| b.1).sum();
    if m < 2 {
        return None;
    }
    let mf = m as f64;
    let (mut sum, mut weighted, mut before) = (0.0, 0.0, 0u64);
    for &(y, c) in blocks {
        // Ranks before+1 ..= before+c share y: Σ (m − j) = c·m − c·before − c(c+1)/2.
        let (cf, bf) = (c as f64, before as f64);
        let rank_weight = cf * mf - cf * bf - cf * (cf + 1.0) / 2.0;
        sum += cf * y;
        weighted += rank_weight * y;
        before += c;
    }
    let a0 = sum / mf;
    let a1 = weighted / (mf * (mf - 1.0));
    let d = a0 - 2.0 * a1;
    if a0 <= 0.0 || d <= 0.0 {
        return None;
    }
    let xi = 2.0 - a0 / d;
    let sigma = 2.0 * a0 * a1 / d;
    (sigma.is_finite() && sigma > 0.0 && xi.is_finite()).then_some((xi, sigma, a0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn uniform(rng: &mut SplitMix64) -> f64 {
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn gpd_sample(rng: &mut SplitMix64, xi: f64, sigma: f64) -> f64 {
        let u = 1.0 - uniform(rng);
        sigma / xi * (u.powf(-xi) - 1.0)
    }

    #[test]
    fn pwm_recovers_known_parameters() {
        let mut rng = SplitMix64::new(42);
        let mut ys: Vec<f64> = (0..200_000)
            .map(|_| gpd_sample(&mut rng, 0.2, 10.0))
            .collect();
        ys.sort_by(f64::total_cmp);
        let blocks: Vec<(f64, u64)> = ys.iter().map(|y| (*y, 1)).collect();
        let (xi, sigma, _) = pwm(&blocks).unwrap();
        assert!((xi - 0.2).abs() < 0.03, "xi {xi}");
        assert!((sigma - 10.0).abs() < 0.3, "sigma {sigma}");
        // Exponential data: ξ near 0, σ the mean.
        let mut ys: Vec<f64> = (0..200_000)
            .map(|_| -5.0 * (1.0 - uniform(&mut rng)).ln())
            .collect();
        ys.sort_by(f64::total_cmp);
        let blocks: Vec<(f64, u64)> = ys.iter().map(|y| (*y, 1)).collect();
        let (xi, sigma, mean) = pwm(&blocks).unwrap();
        assert!(
            xi.abs() < 0.02 && (sigma - 5.0).abs() < 0.1 && (mean - 5.0).abs() < 0.1,
            "{xi} {sigma} {mean}"
        );
    }

    #[test]
    fn extrapolates_a_heavy_tail_from_a_histogram() {
        // Body: exponential with mean 2 s; 2% of lags come from a GPD tail (ξ = 0.2, σ = 20 s)
        // starting at 10 s: the true P(X > 300 s) = 0.02 · (1 + 0.2·290/20)^-5 ≈ 7.0e-6.
        let mut rng = SplitMix64::new(7);
        let mut h = crate::source::new_hist();
        for _ in 0..1_000_000 {
            let secs = if uniform(&mut rng) < 0.02 {
                10.0 + gpd_sample(&mut rng, 0.2, 20.0)
            } else {
                -2.0 * (1.0 - uniform(&mut rng)).ln()
            };
            h.record((secs * 1e9) as u64).unwrap();
        }
        let truth = 0.02 * (1.0f64 + 0.2 * 290.0 / 20.0).powf(-5.0);
        let t = estimate(&h, 300_000_000_000, 1e-6, 0.05).unwrap();
        let p = t.p_window.unwrap();
        assert!(p > truth / 3.0 && p < truth * 3.0, "p {p} truth {truth}");
        assert!(t.p_window_upper.unwrap() >= p);
        assert!(
            t.p_window_exponential.unwrap() < p,
            "the exponential fit is the optimistic one"
        );
        let primary = &t.fits[0];
        let level = primary.return_level(1e-6);
        assert!((primary.survival(level) / 1e-6 - 1.0).abs() < 1e-6);
        assert!(t.window_for_target_ns > 300e9);
    }

    #[test]
    fn too_few_exceedances_give_no_fit() {
        let mut h = crate::source::new_hist();
        for v in 1..=5000u64 {
            h.record(v * 1_000_000).unwrap();
        }
        assert!(estimate(&h, 300_000_000_000, 1e-6, 0.05).is_none());
    }
}
