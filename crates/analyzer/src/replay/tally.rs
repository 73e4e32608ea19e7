//! The replay's accounting: each delivered message counted against the dedup
//! ids the schedule sent, and the outcome compared with the analytic count.

use crate::replay::Schedule;
use std::collections::{HashMap, HashSet};

/// What the drain found, in Jepsen's words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub delivered: u64,
    /// Extra deliveries of an id beyond the first: the duplicates that escaped.
    pub duplicated: u64,
    /// Ids sent but never delivered.
    pub lost: u64,
    /// Deliveries of ids this run never sent.
    pub unexpected: u64,
}

impl Outcome {
    /// Whether the queue did what the analysis predicts: exactly the expected
    /// duplicates delivered, nothing lost, nothing foreign.
    pub fn matches(&self, expected_escapes: u64) -> bool {
        self.duplicated == expected_escapes && self.lost == 0 && self.unexpected == 0
    }
}

/// Deliveries per dedup id, as the drain receives them.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    sent: HashSet<String>,
    seen: HashMap<String, u64>,
    delivered: u64,
}

impl Tally {
    /// An empty tally for the ids `schedule` sends.
    pub fn new(schedule: &Schedule) -> Tally {
        Tally {
            sent: schedule.sends.iter().map(|s| s.dedup_id.clone()).collect(),
            ..Tally::default()
        }
    }

    /// One message delivered with this dedup id (`""` when it carried none).
    pub fn delivered(&mut self, dedup_id: &str) {
        self.delivered += 1;
        match self.seen.get_mut(dedup_id) {
            Some(count) => *count += 1,
            None => {
                self.seen.insert(dedup_id.to_string(), 1);
            }
        }
    }

    pub fn outcome(&self) -> Outcome {
        let mut outcome = Outcome {
            delivered: self.delivered,
            ..Outcome::default()
        };
        for (id, count) in &self.seen {
            if self.sent.contains(id) {
                outcome.duplicated += count - 1;
            } else {
                outcome.unexpected += count;
            }
        }
        outcome.lost = self
            .sent
            .iter()
            .filter(|id| !self.seen.contains_key(*id))
            .count() as u64;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::Send;

    fn schedule(ids: &[&str]) -> Schedule {
        Schedule {
            sends: ids
                .iter()
                .map(|id| Send {
                    at_ms: 0,
                    dedup_id: (*id).to_string(),
                    body: String::new(),
                })
                .collect(),
            lag_pairs: 0,
            attempt_messages: 0,
            expected_escapes: 1,
        }
    }

    #[test]
    fn counts_duplicates_losses_and_foreign_deliveries() {
        // "a" is sent twice (an original and its retry), so it counts once as sent.
        let mut tally = Tally::new(&schedule(&["a", "a", "b", "c"]));
        for id in ["a", "a", "a", "b", "x", ""] {
            tally.delivered(id);
        }
        let outcome = tally.outcome();
        assert_eq!(
            outcome,
            Outcome {
                delivered: 6,
                duplicated: 2,
                lost: 1,
                unexpected: 2,
            }
        );
        assert!(!outcome.matches(2));
    }

    #[test]
    fn matches_only_the_expected_duplicates_with_nothing_lost_or_foreign() {
        let mut tally = Tally::new(&schedule(&["a", "a", "b"]));
        for id in ["b", "a", "a"] {
            tally.delivered(id);
        }
        let outcome = tally.outcome();
        assert_eq!((outcome.delivered, outcome.duplicated), (3, 1));
        assert!(outcome.matches(1));
        assert!(!outcome.matches(0));
        assert!(!outcome.matches(2));
        let nothing = Tally::new(&schedule(&["a"])).outcome();
        assert_eq!(nothing.lost, 1);
        assert!(!nothing.matches(0));
    }
}
