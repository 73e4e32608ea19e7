//! The replay's schedule: every send with its time after the start, its dedup
//! id and its body, in the order they go out.

use crate::replay::ReplayPlan;

/// One send the replay makes: `at_ms` after the start, with this dedup id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    pub at_ms: u64,
    pub dedup_id: String,
    pub body: String,
}

/// The sends of a plan in time order, and what they must produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub sends: Vec<Send>,
    /// Histogram lags replayed as an original and its duplicate.
    pub lag_pairs: usize,
    /// Attempt-log messages replayed with their own sends.
    pub attempt_messages: usize,
    /// Duplicates a correct server accepts: the lags that escape and the
    /// attempt logs' delivered duplicates.
    pub expected_escapes: u64,
}

impl Schedule {
    /// Every lag pair shares a dedup id, the original at 0 and the duplicate at
    /// the lag (in whole ms, floored: with a window of whole ms, `lag >= window`
    /// holds exactly when `floor(lag) >= window`); attempt-log sends keep their
    /// own ids and offsets from the first send. At equal times an original
    /// precedes its retry.
    pub fn from_plan(plan: &ReplayPlan) -> Schedule {
        let mut sends = Vec::new();
        let mut lags: Vec<_> = plan.lags.iter().collect();
        lags.sort_by_key(|l| l.lag_ns);
        for (i, lag) in lags.iter().enumerate() {
            let id = format!("lag-{i}");
            sends.push(Send {
                at_ms: 0,
                dedup_id: id.clone(),
                body: format!("original {id} ({})", lag.tag),
            });
            sends.push(Send {
                at_ms: lag.lag_ns / 1_000_000,
                dedup_id: id.clone(),
                body: format!("retry {id} ({}) lag_ns={}", lag.tag, lag.lag_ns),
            });
        }
        let start = plan
            .timelines
            .iter()
            .flat_map(|t| t.sends.iter().map(|s| s.t_send_ns))
            .min()
            .unwrap_or(0);
        for timeline in &plan.timelines {
            for s in &timeline.sends {
                sends.push(Send {
                    at_ms: (s.t_send_ns - start) / 1_000_000,
                    dedup_id: format!("att-{}", timeline.dedup_id),
                    body: format!(
                        "attempt {} of {} ({})",
                        s.attempt, timeline.dedup_id, s.source
                    ),
                });
            }
        }
        // Stable, so an original stays ahead of its retry.
        sends.sort_by_key(|s| s.at_ms);
        Schedule {
            sends,
            lag_pairs: lags.len(),
            attempt_messages: plan.timelines.len(),
            expected_escapes: plan.expected_escapes + plan.expected_delivered_duplicates,
        }
    }

    /// When the last send goes out, in ms after the start.
    pub fn span_ms(&self) -> u64 {
        self.sends.last().map_or(0, |s| s.at_ms)
    }

    /// The sends in order, as batches of at most `max` sends due at the same
    /// instant (a batch never spans two instants, so the clock is moved
    /// between batches only).
    pub fn batches(&self, max: usize) -> impl Iterator<Item = &[Send]> {
        self.sends
            .chunk_by(|a, b| a.at_ms == b.at_ms)
            .flat_map(move |instant| instant.chunks(max.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::Boundary;
    use crate::replay::PlannedLag;
    use crate::source::{Timeline, TimelineSend};

    fn lag(tag: &str, lag_ns: u64, escapes: bool) -> PlannedLag {
        PlannedLag {
            tag: tag.to_string(),
            lag_ns,
            weight: 1.0,
            escapes,
        }
    }

    fn send(attempt: u32, t_send_ns: u64, delivered_duplicate: bool) -> TimelineSend {
        TimelineSend {
            attempt,
            t_send_ns,
            source: "sdk".to_string(),
            lag_ns: 0,
            delivered_duplicate,
        }
    }

    /// Each send as (time, dedup id, body).
    fn rows(schedule: &Schedule) -> Vec<(u64, &str, &str)> {
        schedule
            .sends
            .iter()
            .map(|s| (s.at_ms, s.dedup_id.as_str(), s.body.as_str()))
            .collect()
    }

    fn plan(lags: Vec<PlannedLag>, timelines: Vec<Timeline>) -> ReplayPlan {
        ReplayPlan {
            window_ns: 300_000_000_000,
            boundary: Boundary::Ge,
            seed: 0,
            expected_escapes: lags.iter().filter(|l| l.escapes).count() as u64,
            expected_weighted_escapes: 0.0,
            represented_lags: lags.len() as f64,
            lags,
            expected_delivered_duplicates: timelines
                .iter()
                .map(|t| t.delivered_duplicates() as u64)
                .sum(),
            timelines,
        }
    }

    #[test]
    fn lag_pairs_share_an_id_and_retries_land_on_the_floored_ms() {
        let schedule = Schedule::from_plan(&plan(
            vec![
                lag("outbox", 300_000_999_999, true),
                lag("sdk", 1_500_000, false),
            ],
            Vec::new(),
        ));
        let got = rows(&schedule);
        // Ids follow the lags' order; originals at 0 ahead of any retry.
        assert_eq!(
            got,
            [
                (0, "lag-0", "original lag-0 (sdk)"),
                (0, "lag-1", "original lag-1 (outbox)"),
                (1, "lag-0", "retry lag-0 (sdk) lag_ns=1500000"),
                (300_000, "lag-1", "retry lag-1 (outbox) lag_ns=300000999999"),
            ]
        );
        assert_eq!((schedule.lag_pairs, schedule.attempt_messages), (2, 0));
        assert_eq!(schedule.expected_escapes, 1);
        assert_eq!(schedule.span_ms(), 300_000);
    }

    #[test]
    fn a_zero_lag_retry_stays_behind_its_original() {
        let schedule = Schedule::from_plan(&plan(vec![lag("sdk", 999_999, false)], Vec::new()));
        let bodies: Vec<&str> = schedule.sends.iter().map(|s| s.body.as_str()).collect();
        assert_eq!(
            bodies,
            ["original lag-0 (sdk)", "retry lag-0 (sdk) lag_ns=999999"]
        );
    }

    #[test]
    fn attempt_logs_keep_their_ids_and_offsets_from_the_first_send() {
        let timelines = vec![
            Timeline {
                dedup_id: "a".to_string(),
                sends: vec![
                    send(1, 5_000_000_000, false),
                    send(2, 305_000_000_000, true),
                ],
            },
            Timeline {
                dedup_id: "b".to_string(),
                sends: vec![send(1, 5_002_000_000, false)],
            },
        ];
        let schedule = Schedule::from_plan(&plan(Vec::new(), timelines));
        let got = rows(&schedule);
        assert_eq!(
            got,
            [
                (0, "att-a", "attempt 1 of a (sdk)"),
                (2, "att-b", "attempt 1 of b (sdk)"),
                (300_000, "att-a", "attempt 2 of a (sdk)"),
            ]
        );
        assert_eq!((schedule.lag_pairs, schedule.attempt_messages), (0, 2));
        assert_eq!(schedule.expected_escapes, 1);
    }

    #[test]
    fn batches_hold_at_most_max_sends_of_one_instant() {
        let lags = (0..12)
            .map(|i| lag("sdk", i * 1_000_000_000, false))
            .collect();
        let schedule = Schedule::from_plan(&plan(lags, Vec::new()));
        let batches: Vec<(u64, usize)> = schedule
            .batches(10)
            .map(|b| {
                assert!(b.iter().all(|s| s.at_ms == b[0].at_ms));
                (b[0].at_ms, b.len())
            })
            .collect();
        // 12 originals and the zero-lag retry at 0, then one retry a second.
        let mut want = vec![(0, 10), (0, 3)];
        want.extend((1..12).map(|s| (s * 1000, 1)));
        assert_eq!(batches, want);
        assert_eq!(
            schedule.batches(10).map(<[Send]>::len).sum::<usize>(),
            schedule.sends.len()
        );
        assert!(
            Schedule::from_plan(&plan(Vec::new(), Vec::new()))
                .batches(10)
                .next()
                .is_none()
        );
    }
}
