//! `fifowin replay`'s pure part: which lags to replay and how many escapes they
//! must produce ([`plan`]), when each send goes out and with which dedup id
//! ([`schedule`]), what the drained queue delivered against what was sent
//! ([`tally`]), and the report ([`report`]). The binary drives the SDK and the
//! clock between them; everything it decides from is here, unit-tested.

mod plan;
mod report;
mod schedule;
mod tally;

pub use plan::{PlanOptions, PlannedLag, ReplayPlan, replay_plan};
pub use report::{Mode, ReplayReport, RunFacts};
pub use schedule::{Schedule, Send};
pub use tally::{Outcome, Tally};
