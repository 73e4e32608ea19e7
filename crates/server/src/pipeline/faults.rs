//! Fault injection: rules that make chosen SQS or SNS requests fail, lose their answer
//! after taking effect, slow down, or have their messages redelivered early.
//!
//! A rule matches an operation by name (or `*`) and optionally a queue (for SNS
//! operations: a topic, by name) and a region; its trigger decides
//! deterministically which matching requests it fires on: every one, the first
//! `count`, or each with `probability` drawn from a generator seeded by `seed`
//! (the same requests in the same order fire the same way on every run). `skip`
//! lets the first matches through untouched.
//!
//! Rules act in two phases around the operation: `fail` before it (no effect);
//! `delay` after it, on every answer; `fail_after_commit` and `redeliver` after
//! it, only when it succeeded (`redeliver` only when a receive returned messages).

use std::sync::Mutex;

use axum::http::StatusCode;
use fifowin_wire::{ErrorCode, SqsError};
use serde::Serialize;

mod rule;

pub(crate) use rule::{Action, RuleSpec, SpecError, Trigger};

/// An error a rule chose for the client.
#[derive(Clone, Debug)]
pub struct Injected {
    pub error: SqsError,
    pub status: StatusCode,
    /// Close the connection instead of answering.
    pub drop_connection: bool,
}

/// What the post-operation rules decided.
#[derive(Clone, Debug, Default)]
pub struct After {
    /// Total latency to add before the answer, ms.
    pub delay_ms: u64,
    /// Replace the successful answer with this error (a lost ack).
    pub fail: Option<Injected>,
    /// Make the messages just received visible again after this many ms.
    pub redeliver_after_ms: Option<u64>,
}

/// A rule as the control API lists it.
#[derive(Clone, Debug, Serialize)]
pub struct RuleView {
    pub id: u64,
    #[serde(flatten)]
    pub spec: RuleSpec,
    /// Requests that matched operation and queue and reached the rule's phase.
    pub matched: u64,
    /// Of those, how many the rule acted on.
    pub fired: u64,
}

#[derive(Debug)]
struct Rule {
    id: u64,
    spec: RuleSpec,
    /// The operation's name (`None`: any).
    op: Option<&'static str>,
    matched: u64,
    fired: u64,
    rng: SplitMix64,
}

impl Rule {
    fn applies(&self, op: &str, region: &str, queue: Option<&str>) -> bool {
        self.op.is_none_or(|o| o == op)
            && self.spec.region.as_deref().is_none_or(|r| r == region)
            && self.spec.queue.as_deref().is_none_or(|q| queue == Some(q))
    }

    /// Counts a match and decides whether the rule fires on it.
    fn fires(&mut self) -> bool {
        self.matched += 1;
        if self.matched <= self.spec.skip.unwrap_or(0) {
            return false;
        }
        let fire = match self.spec.trigger() {
            Trigger::Always => true,
            Trigger::Count(n) => self.fired < n,
            Trigger::Probability(p) => self.rng.next_unit() < p,
        };
        self.fired += u64::from(fire);
        fire
    }

    fn view(&self) -> RuleView {
        RuleView {
            id: self.id,
            spec: self.spec.clone(),
            matched: self.matched,
            fired: self.fired,
        }
    }
}

/// The fault rules of one server.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<Rule>,
    next_id: u64,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Rule bookkeeping cannot be left half-done by a panic; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Validates and adds a rule; returns it with its id.
    pub fn add(&self, spec: RuleSpec) -> Result<RuleView, SpecError> {
        let op = spec.validate()?;
        let mut state = self.lock();
        state.next_id += 1;
        let rule = Rule {
            id: state.next_id,
            rng: SplitMix64(spec.seed.unwrap_or(0)),
            spec,
            op,
            matched: 0,
            fired: 0,
        };
        let view = rule.view();
        state.rules.push(rule);
        Ok(view)
    }

    /// Every rule with its hit counts, oldest first.
    pub fn list(&self) -> Vec<RuleView> {
        self.lock().rules.iter().map(Rule::view).collect()
    }

    /// Removes every rule; returns how many there were.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut self.lock().rules).len()
    }

    /// Removes one rule; false when there is no such id.
    pub fn remove(&self, id: u64) -> bool {
        let mut state = self.lock();
        let before = state.rules.len();
        state.rules.retain(|r| r.id != id);
        state.rules.len() != before
    }

    /// Before the operation: the first `fail` rule that fires, if any.
    /// `region` is the one the request addresses (its queue's, or its own).
    pub fn before(&self, op: &str, region: &str, queue: Option<&str>) -> Option<Injected> {
        let mut state = self.lock();
        for rule in &mut state.rules {
            if let Action::Fail = rule.spec.action
                && rule.applies(op, region, queue)
                && rule.fires()
            {
                return Some(rule.spec.injected());
            }
        }
        None
    }

    /// After the operation: delays for every answer; lost acks for successes;
    /// redeliveries for receives that returned `delivered > 0` messages.
    pub fn after(
        &self,
        op: &str,
        region: &str,
        queue: Option<&str>,
        ok: bool,
        delivered: usize,
    ) -> After {
        let mut after = After::default();
        let mut state = self.lock();
        for rule in &mut state.rules {
            if !rule.applies(op, region, queue) {
                continue;
            }
            match rule.spec.action {
                Action::Fail => {}
                Action::Delay => {
                    if rule.fires() {
                        after.delay_ms = after.delay_ms.saturating_add(rule.spec.ms.unwrap_or(0));
                    }
                }
                Action::FailAfterCommit => {
                    if ok && after.fail.is_none() && rule.fires() {
                        after.fail = Some(rule.spec.injected());
                    }
                }
                Action::Redeliver => {
                    if ok && delivered > 0 && after.redeliver_after_ms.is_none() && rule.fires() {
                        after.redeliver_after_ms = Some(rule.spec.after_ms.unwrap_or(0));
                    }
                }
            }
        }
        after
    }

    /// How many times rules of each action fired, for metrics.
    pub fn fired_by_action(&self) -> Vec<(&'static str, u64)> {
        let state = self.lock();
        Action::ALL
            .iter()
            .map(|a| {
                let fired = state
                    .rules
                    .iter()
                    .filter(|r| r.spec.action == *a)
                    .map(|r| r.fired)
                    .sum();
                (a.as_str(), fired)
            })
            .collect()
    }
}

/// A small, well-mixed deterministic generator (SplitMix64): a seed fully
/// determines which matching requests a probabilistic rule fires on.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_unit(&mut self) -> f64 {
        // 53 random bits: every value is exactly representable.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The error codes a rule may inject, by the name SDKs report (`x-amzn-query-error`
/// code or the variant name).
pub(crate) fn error_code(name: &str) -> Option<ErrorCode> {
    use ErrorCode::*;
    const INJECTABLE: &[ErrorCode] = &[
        InternalError,
        ServiceUnavailable,
        RequestThrottled,
        OverLimit,
        QueueDoesNotExist,
        PurgeQueueInProgress,
        InvalidParameterValue,
        MissingParameter,
        InvalidAttributeName,
        InvalidAttributeValue,
        InvalidMessageContents,
        ReceiptHandleIsInvalid,
        InvalidSecurity,
        InvalidAddress,
        UnsupportedOperation,
        MessageNotInflight,
        BatchRequestTooLong,
        ResourceNotFound,
    ];
    INJECTABLE
        .iter()
        .copied()
        .find(|c| format!("{c:?}") == name || c.query_code() == name)
}

/// Statuses a rule may choose: any client or server error.
pub(crate) fn error_status(status: u16) -> Option<StatusCode> {
    StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
}

#[cfg(test)]
mod tests;
