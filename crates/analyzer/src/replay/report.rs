//! The replay's report: the schedule, the outcome and the run's facts in one
//! typed document, written as JSON or as an aligned table.

use crate::replay::{Outcome, Schedule};
use serde::Serialize;
use std::io::{self, Write};

/// How time moved during the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// fifowin's manual clock, advanced to each send's time.
    ServerClock,
    /// The wall clock: the replay waited out every lag.
    RealTime,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::ServerClock => "server-clock",
            Mode::RealTime => "real-time",
        }
    }
}

/// What the driver knows about its run besides the deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub endpoint: String,
    pub queue: String,
    pub mode: Mode,
    pub window_ms: u64,
    /// The escapes fifowin's control API recorded for the queue (`None`
    /// against other endpoints, or when it could not be read).
    pub server_reported_escapes: Option<u64>,
    /// Seconds the sends took.
    pub send_seconds: f64,
    /// Seconds from the first send to the end of the drain.
    pub seconds: f64,
}

/// `fifowin replay`'s report. The fields are in the order the JSON document
/// has always listed its keys (alphabetical).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayReport {
    pub attempt_messages: usize,
    pub delivered: u64,
    pub duplicated: u64,
    pub endpoint: String,
    pub expected_escapes: u64,
    pub lag_pairs: usize,
    pub lost: u64,
    /// Whether the observed escapes equal the analytic count ([`Outcome::matches`]).
    #[serde(rename = "match")]
    pub matches: bool,
    pub mode: Mode,
    pub pairs_per_second: f64,
    pub queue: String,
    pub seconds: f64,
    pub sends: usize,
    pub sends_per_second: f64,
    pub server_reported_escapes: Option<u64>,
    pub unexpected: u64,
    pub window_ms: u64,
}

impl ReplayReport {
    pub fn new(schedule: &Schedule, outcome: Outcome, run: RunFacts) -> ReplayReport {
        let per_second = |n: usize| {
            if run.send_seconds > 0.0 {
                n as f64 / run.send_seconds
            } else {
                0.0
            }
        };
        ReplayReport {
            attempt_messages: schedule.attempt_messages,
            delivered: outcome.delivered,
            duplicated: outcome.duplicated,
            expected_escapes: schedule.expected_escapes,
            lag_pairs: schedule.lag_pairs,
            lost: outcome.lost,
            matches: outcome.matches(schedule.expected_escapes),
            mode: run.mode,
            pairs_per_second: per_second(schedule.lag_pairs),
            sends: schedule.sends.len(),
            sends_per_second: per_second(schedule.sends.len()),
            server_reported_escapes: run.server_reported_escapes,
            unexpected: outcome.unexpected,
            window_ms: run.window_ms,
            seconds: run.seconds,
            endpoint: run.endpoint,
            queue: run.queue,
        }
    }

    /// The report as pretty-printed JSON and a newline.
    pub fn write_json(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "{}", serde_json::to_string_pretty(self)?)
    }

    /// The report as aligned `name value` lines and the verdict line.
    pub fn write_table(&self, w: &mut dyn Write) -> io::Result<()> {
        let server_escapes = self
            .server_reported_escapes
            .map_or_else(|| "null".to_string(), |n| n.to_string());
        let rows = [
            ("endpoint", self.endpoint.clone()),
            ("mode", self.mode.name().to_string()),
            ("window", format!("{} ms", self.window_ms)),
            ("sends", self.sends.to_string()),
            ("lag pairs", self.lag_pairs.to_string()),
            ("attempt-log messages", self.attempt_messages.to_string()),
            ("expected escapes", self.expected_escapes.to_string()),
            ("delivered", self.delivered.to_string()),
            ("duplicated (observed escapes)", self.duplicated.to_string()),
            ("lost", self.lost.to_string()),
            ("unexpected", self.unexpected.to_string()),
            ("server-reported escapes", server_escapes),
            ("time", format!("{:.2} s", self.seconds)),
            ("sends/s", format!("{:.0}", self.sends_per_second)),
            ("lag pairs/s", format!("{:.0}", self.pairs_per_second)),
        ];
        for (name, value) in rows {
            writeln!(w, "{name:<30} {value}")?;
        }
        if self.matches {
            writeln!(w, "MATCH: observed escapes equal the analytic count")
        } else {
            writeln!(
                w,
                "MISMATCH: observed escapes differ from the analytic count, or messages were lost"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::Send;

    fn schedule() -> Schedule {
        let send = |at_ms, id: &str| Send {
            at_ms,
            dedup_id: id.to_string(),
            body: String::new(),
        };
        Schedule {
            sends: vec![send(0, "lag-0"), send(0, "att-a"), send(300_000, "lag-0")],
            lag_pairs: 1,
            attempt_messages: 1,
            expected_escapes: 1,
        }
    }

    fn run(mode: Mode, server_reported_escapes: Option<u64>) -> RunFacts {
        RunFacts {
            endpoint: "http://127.0.0.1:9324".to_string(),
            queue: "fifowin-replay-1.fifo".to_string(),
            mode,
            window_ms: 300_000,
            server_reported_escapes,
            send_seconds: 0.5,
            seconds: 0.75,
        }
    }

    fn outcome(duplicated: u64) -> Outcome {
        Outcome {
            delivered: 2 + duplicated,
            duplicated,
            lost: 0,
            unexpected: 0,
        }
    }

    #[test]
    fn json_has_the_documented_keys_and_values() {
        let report = ReplayReport::new(&schedule(), outcome(1), run(Mode::ServerClock, Some(1)));
        let mut out = Vec::new();
        report.write_json(&mut out).unwrap();
        let want = r#"{
  "attempt_messages": 1,
  "delivered": 3,
  "duplicated": 1,
  "endpoint": "http://127.0.0.1:9324",
  "expected_escapes": 1,
  "lag_pairs": 1,
  "lost": 0,
  "match": true,
  "mode": "server-clock",
  "pairs_per_second": 2.0,
  "queue": "fifowin-replay-1.fifo",
  "seconds": 0.75,
  "sends": 3,
  "sends_per_second": 6.0,
  "server_reported_escapes": 1,
  "unexpected": 0,
  "window_ms": 300000
}
"#;
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn json_keys_are_in_the_order_a_json_object_sorts_them() {
        // A map-built document sorts its keys; the typed one must list them the same way.
        let report = ReplayReport::new(&schedule(), outcome(0), run(Mode::RealTime, None));
        let typed = serde_json::to_string_pretty(&report).unwrap();
        let value: serde_json::Value = serde_json::from_str(&typed).unwrap();
        assert_eq!(serde_json::to_string_pretty(&value).unwrap(), typed);
        assert_eq!(value["mode"], "real-time");
        assert_eq!(value["match"], false);
        assert!(value["server_reported_escapes"].is_null());
    }

    #[test]
    fn table_lists_every_figure_and_the_verdict() {
        let report = ReplayReport::new(&schedule(), outcome(1), run(Mode::ServerClock, Some(1)));
        let mut out = Vec::new();
        report.write_table(&mut out).unwrap();
        let want = "\
endpoint                       http://127.0.0.1:9324
mode                           server-clock
window                         300000 ms
sends                          3
lag pairs                      1
attempt-log messages           1
expected escapes               1
delivered                      3
duplicated (observed escapes)  1
lost                           0
unexpected                     0
server-reported escapes        1
time                           0.75 s
sends/s                        6
lag pairs/s                    2
MATCH: observed escapes equal the analytic count
";
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn a_mismatch_and_an_unknown_server_count_say_so() {
        let mut report = ReplayReport::new(&schedule(), outcome(0), run(Mode::RealTime, None));
        assert!(!report.matches);
        let mut out = Vec::new();
        report.write_table(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\nmode                           real-time\n"),
            "{text}"
        );
        assert!(
            text.contains("\nserver-reported escapes        null\n"),
            "{text}"
        );
        assert!(text.ends_with(
            "MISMATCH: observed escapes differ from the analytic count, or messages were lost\n"
        ));
        // No send time measured: rates are 0, not a division by zero.
        report = ReplayReport::new(
            &schedule(),
            outcome(1),
            RunFacts {
                send_seconds: 0.0,
                ..run(Mode::ServerClock, Some(1))
            },
        );
        assert_eq!(
            (report.sends_per_second, report.pairs_per_second),
            (0.0, 0.0)
        );
    }
}
