//! Everything between a decoded request and the SQS service, in the order a
//! request meets it: `dispatch` (metrics, the request log line, fault rules and
//! the memory cap), `long_poll` (a ReceiveMessage's wait, as zero-wait
//! attempts) and `durable` (order, time, ids and the command log; in memory
//! mode it only reads the clock). `limits` also holds the body deadline the
//! router applies; `metrics` and `faults` hold the tables the control API reads.

pub(crate) mod dispatch;
pub(crate) mod durable;
pub(crate) mod faults;
pub(crate) mod limits;
mod long_poll;
pub(crate) mod metrics;
pub(crate) mod move_runner;
