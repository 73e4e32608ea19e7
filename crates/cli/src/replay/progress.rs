//! `fifowin replay`'s progress bar: the send rate and the time left on a
//! terminal, nothing anywhere else.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What replay shows while it sends: on a terminal, a bar with the send rate
/// and the time left; anywhere else (pipes, CI logs) nothing at all, so the
/// output is the report alone.
pub(super) struct Progress {
    bar: ProgressBar,
    /// Real time: the bar runs over schedule time, so the time left is the
    /// schedule's rest rather than a guess from a rate that bursts at each lag.
    real_time: bool,
    sent: u64,
    total: u64,
    started: Instant,
}

impl Progress {
    pub(super) fn new(total: usize, span_ms: u64, real_time: bool, terminal: bool) -> Self {
        let total = total as u64;
        let target = if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let (length, template) = if real_time {
            (span_ms, REAL_TIME_TEMPLATE)
        } else {
            (total, SERVER_CLOCK_TEMPLATE)
        };
        let bar = ProgressBar::with_draw_target(Some(length), target).with_style(style(template));
        Self {
            bar,
            real_time,
            sent: 0,
            total,
            started: Instant::now(),
        }
    }

    /// `n` more sends went out, at `schedule_ms` into the schedule.
    pub(super) fn sent(&mut self, n: usize, schedule_ms: u64) {
        self.sent += n as u64;
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            self.sent as f64 / secs
        } else {
            0.0
        };
        // The message first: a position change redraws the bar.
        if self.real_time {
            self.bar
                .set_message(format!("{}/{} sends, {rate:.1}/s", self.sent, self.total));
            self.bar.set_position(schedule_ms);
        } else {
            self.bar.set_message(format!("{rate:.0}/s"));
            self.bar.set_position(self.sent);
        }
    }

    pub(super) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Against fifowin's clock: sends are the work, so the rate says the time left.
const SERVER_CLOCK_TEMPLATE: &str = "[{bar:30}] {pos}/{len} sends, {msg}, {eta} left";
/// In real time: the bar is schedule time; the message counts sends.
const REAL_TIME_TEMPLATE: &str = "[{bar:30}] {msg}, {eta} left";

/// A bar style from a template of ours (fixed, so it always parses).
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_templates_parse() {
        for template in [SERVER_CLOCK_TEMPLATE, REAL_TIME_TEMPLATE] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn progress_draws_nothing_off_a_terminal() {
        let mut progress = Progress::new(20, 60_000, false, false);
        assert!(progress.bar.is_hidden());
        progress.sent(10, 0);
        progress.sent(10, 60_000);
        assert_eq!(progress.bar.position(), 20);
        assert!(progress.bar.message().ends_with("/s"));
    }

    #[test]
    fn real_time_progress_runs_over_schedule_time() {
        let mut progress = Progress::new(20, 60_000, true, false);
        progress.sent(10, 30_000);
        assert_eq!(progress.bar.position(), 30_000);
        assert_eq!(progress.bar.length(), Some(60_000));
        assert!(progress.bar.message().starts_with("10/20 sends"));
    }
}
