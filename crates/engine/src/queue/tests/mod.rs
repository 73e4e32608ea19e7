//! Unit tests of `Queue`, driven by explicit timestamps; helpers shared by the
//! test modules below.

use std::collections::BTreeMap;

use crate::clock::Timestamp;
use crate::error::EngineError;
use crate::ids::SeqIds;
use crate::message::{AttributeValue, MessageAttributes};

use super::{
    Queue, QueueKind, QueueSettings, ReceiveRequest, ReceivedMessage, SendOutcome, SendRequest,
};

mod attempts;
mod attributes;
mod batch;
mod fifo_delivery;
mod group_turns;
mod inspect;
mod lags;
mod lifecycle;
mod receipts;
mod redrive;
mod send;

/// An arbitrary epoch instant so timestamps look real.
const T0: u64 = 1_700_000_000_000;
const WINDOW: u64 = 300_000;

fn at(ms: u64) -> Timestamp {
    Timestamp(T0 + ms)
}

fn arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:000000000000:{name}")
}

fn no_queues(_: &str) -> Option<QueueKind> {
    None
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn create(name: &str, attrs: &[(&str, &str)]) -> Result<Queue, EngineError> {
    Queue::create(
        QueueSettings::new(name, arn(name)),
        &map(attrs),
        &BTreeMap::new(),
        &no_queues,
        Box::new(SeqIds::default()),
        at(0),
    )
}

/// A FIFO queue `q.fifo` with extra attributes.
fn fifo(attrs: &[(&str, &str)]) -> Queue {
    let mut all = vec![("FifoQueue", "true")];
    all.extend_from_slice(attrs);
    create("q.fifo", &all).expect("valid FIFO queue")
}

fn standard(attrs: &[(&str, &str)]) -> Queue {
    create("q", attrs).expect("valid standard queue")
}

fn string_attr(v: &str) -> AttributeValue {
    AttributeValue {
        data_type: "String".into(),
        string_value: Some(v.into()),
        ..AttributeValue::default()
    }
}

fn attrs(pairs: &[(&str, &str)]) -> MessageAttributes {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), string_attr(v)))
        .collect()
}

/// A FIFO send of `body` in `group` with dedup id `dedup`.
fn msg(body: &str, group: &str, dedup: &str) -> SendRequest {
    SendRequest {
        body: body.into(),
        group_id: Some(group.into()),
        dedup_id: Some(dedup.into()),
        sender_id: "AIDAEXAMPLE".into(),
        ..SendRequest::default()
    }
}

/// A standard send of `body`.
fn plain(body: &str) -> SendRequest {
    SendRequest {
        body: body.into(),
        sender_id: "AIDAEXAMPLE".into(),
        ..SendRequest::default()
    }
}

fn send(q: &mut Queue, req: SendRequest, now: Timestamp) -> SendOutcome {
    q.send(req, now).expect("send accepted")
}

fn receive_req(max: i64) -> ReceiveRequest {
    ReceiveRequest {
        max_number_of_messages: Some(max),
        ..ReceiveRequest::default()
    }
}

fn receive(q: &mut Queue, max: i64, now: Timestamp) -> Vec<ReceivedMessage> {
    q.receive(&receive_req(max), now)
        .expect("receive accepted")
        .messages
}

fn bodies(messages: &[ReceivedMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.body.as_str()).collect()
}

fn attr<'a>(m: &'a ReceivedMessage, name: &str) -> Option<&'a str> {
    m.attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn invalid_parameter(text: &str) -> EngineError {
    EngineError::InvalidParameterValue(text.into())
}

#[test]
fn queue_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Queue>();
}
