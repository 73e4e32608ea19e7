//! Send times in attempt logs: RFC 3339 timestamps, or numbers since some
//! epoch in a unit that `--time-unit` names, the field's name implies
//! (`t_send_ns`, `sent_ms`...), or, failing both, the first number's
//! magnitude decides once per file (see [`TimeUnit::by_magnitude`]).

use crate::units::TimeUnit;

/// How numbers in the time field are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberUnit {
    /// `--time-unit`, or the field's name.
    Stated(TimeUnit),
    /// Decided by the first number read, then kept for the whole file.
    ByMagnitude(Option<TimeUnit>),
}

impl NumberUnit {
    pub(crate) fn new(stated: Option<TimeUnit>, field: &str) -> NumberUnit {
        match stated.or_else(|| unit_in_name(field)) {
            Some(unit) => NumberUnit::Stated(unit),
            None => NumberUnit::ByMagnitude(None),
        }
    }

    fn unit_for(&mut self, magnitude: f64) -> TimeUnit {
        match self {
            NumberUnit::Stated(unit) | NumberUnit::ByMagnitude(Some(unit)) => *unit,
            NumberUnit::ByMagnitude(decided) => {
                let unit = TimeUnit::by_magnitude(magnitude);
                *decided = Some(unit);
                unit
            }
        }
    }

    /// The unit numbers were read in, when one has been decided.
    pub(crate) fn decided(&self) -> Option<(TimeUnit, bool)> {
        match self {
            NumberUnit::Stated(unit) => Some((*unit, false)),
            NumberUnit::ByMagnitude(decided) => decided.map(|u| (u, true)),
        }
    }

    /// Parses a time into ns since the epoch (or whatever origin the numbers have).
    pub(crate) fn parse(&mut self, text: &str) -> Result<i128, String> {
        let text = text.trim();
        if let Some(number) = Decimal::parse(text) {
            let unit = self.unit_for(number.magnitude());
            return number
                .to_ns(unit)
                .ok_or_else(|| format!("`{text}` is out of range"));
        }
        if text.is_empty() {
            return Err("the time is empty".into());
        }
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .and_then(|t| t.timestamp_nanos_opt())
            .map(i128::from)
            .ok_or_else(|| format!("`{text}` is neither an RFC 3339 time nor a number"))
    }
}

/// `t_send_ns`, `sent_at_ms`, `ts_us`, `time_s`: the unit after the last `_`.
fn unit_in_name(field: &str) -> Option<TimeUnit> {
    let suffix = field.rsplit_once(['_', '.', '-'])?.1.to_ascii_lowercase();
    match suffix.as_str() {
        "ns" | "nanos" => Some(TimeUnit::Ns),
        "us" | "micros" => Some(TimeUnit::Us),
        "ms" | "millis" => Some(TimeUnit::Ms),
        "s" | "sec" | "secs" | "seconds" => Some(TimeUnit::S),
        _ => None,
    }
}

/// A decimal number kept exact: epoch nanoseconds do not fit an f64.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decimal {
    /// The digits as an integer, and how many of them follow the point.
    Exact { digits: i128, scale: u32 },
    /// Exponent notation, read as a float.
    Float(f64),
}

impl Decimal {
    fn parse(s: &str) -> Option<Decimal> {
        let (sign, body) = match s.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !int.is_empty() && all_digits(int) && all_digits(frac) && frac.len() <= 18 {
            let digits: i128 = format!("{int}{frac}").parse().ok()?;
            return Some(Decimal::Exact {
                digits: sign * digits,
                scale: frac.len() as u32,
            });
        }
        if s.contains(['e', 'E']) {
            return s
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Decimal::Float);
        }
        None
    }

    fn magnitude(self) -> f64 {
        match self {
            Decimal::Exact { digits, scale } => digits.abs() as f64 / 10f64.powi(scale as i32),
            Decimal::Float(v) => v.abs(),
        }
    }

    fn to_ns(self, unit: TimeUnit) -> Option<i128> {
        let per = unit.ns_per_unit() as i128;
        match self {
            Decimal::Exact { digits, scale } => {
                let scaled = digits.checked_mul(per)?;
                let div = 10i128.checked_pow(scale)?;
                Some(scaled / div)
            }
            Decimal::Float(v) => {
                let ns = v * unit.ns_per_unit();
                (ns.abs() < 1e36).then_some(ns.round() as i128)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_precision_and_units_come_from_the_name() {
        let mut ns = NumberUnit::new(None, "t_send_ns");
        assert_eq!(
            ns.parse("1764000009161921516"),
            Ok(1_764_000_009_161_921_516)
        );
        let mut ms = NumberUnit::new(None, "sentAt.ms");
        assert_eq!(ms.parse("1764000009161.5"), Ok(1_764_000_009_161_500_000));
        let mut stated = NumberUnit::new(Some(TimeUnit::Us), "t_send_ns");
        assert_eq!(stated.parse("2.5"), Ok(2_500));
        assert_eq!(stated.parse("1e3"), Ok(1_000_000));
    }

    #[test]
    fn magnitude_decides_once_per_file() {
        let mut by = NumberUnit::new(None, "time");
        assert_eq!(by.parse("1764000009.25"), Ok(1_764_000_009_250_000_000));
        assert_eq!(by.decided(), Some((TimeUnit::S, true)));
        // Later numbers keep the first one's unit.
        assert_eq!(by.parse("1764000010"), Ok(1_764_000_010_000_000_000));
        let mut by = NumberUnit::new(None, "time");
        assert_eq!(by.parse("1764000009161"), Ok(1_764_000_009_161_000_000));
        assert_eq!(by.decided(), Some((TimeUnit::Ms, true)));
    }

    #[test]
    fn rfc3339_times_need_no_unit() {
        let mut u = NumberUnit::new(None, "time");
        assert_eq!(
            u.parse("2025-11-24T16:00:09.161921516Z"),
            Ok(1_764_000_009_161_921_516)
        );
        assert_eq!(
            u.parse("2025-11-24T17:00:09.5+01:00"),
            Ok(1_764_000_009_500_000_000)
        );
        assert_eq!(u.decided(), None);
        assert!(u.parse("yesterday").unwrap_err().contains("RFC 3339"));
        assert!(u.parse("").is_err());
    }
}
