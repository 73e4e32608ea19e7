//! Snapshots are equivalent to the queue they were taken of: random operation
//! sequences (every queue operation, clock advances, DLQ redrives, move tasks,
//! reset) run on a queue and on its twin; at random points the twin is
//! replaced by `Queue::restore` of the queue's image, passed through its byte
//! encoding; every answer of the two must be equal, and so must their images
//! after every step. The reference here is the engine itself, before a
//! snapshot: the lifecycle and dedup model checks pin what that reference does.
//! A queue frozen at the snapshot point (`Queue::freeze`) must give, after
//! every later step has changed the queue, the image taken at that point.

use std::collections::BTreeMap;
use std::sync::Arc;

use fifowin_engine::{
    AttributeValue, BatchEntry, IdSource, MessageAttributes, Queue, QueueImage, QueueKind,
    QueueSettings, ReceiveRequest, SendRequest, SnapshotError, Timestamp,
};
use proptest::prelude::*;

const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";
const DLQ_FIFO_ARN: &str = "arn:aws:sqs:us-east-1:000000000000:dlq.fifo";

/// Ids from a counter, so a restored queue's source can continue where the
/// snapshotted one stood.
struct CountIds(u64);

impl IdSource for CountIds {
    fn message_id(&mut self) -> Arc<str> {
        self.0 += 1;
        Arc::from(format!("00000000-0000-4000-8000-{:012x}", self.0))
    }
}

#[derive(Clone, Copy, Debug)]
enum Flavour {
    Standard,
    /// Content-based dedup, queue scope.
    FifoContent,
    /// Explicit dedup ids, messageGroup scope.
    FifoPerGroup,
}

#[derive(Clone, Debug)]
enum Op {
    Send {
        group: u8,
        dedup: u8,
        body: u8,
        delay: u8,
        extras: bool,
    },
    SendBatch(u8),
    Receive {
        max: u8,
        visibility: Option<u8>,
        attempt: Option<u8>,
    },
    Delete(u8),
    DeleteBatch(u8),
    ChangeVisibility(u8, u8),
    Redeliver(u8, u8),
    Advance(u64),
    SetAttribute(u8, u8),
    Tag(u8),
    Untag(u8),
    AddPermission(u8),
    RemovePermission(u8),
    Purge,
    Reset,
    MoveAndReturn(u8),
    Snapshot,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0u8..4, 0u8..6, 0u8..8, 0u8..3, any::<bool>()).prop_map(|(group, dedup, body, delay, extras)| Op::Send { group, dedup, body, delay, extras }),
        2 => (1u8..5).prop_map(Op::SendBatch),
        6 => (1u8..5, prop::option::of(0u8..4), prop::option::of(0u8..3)).prop_map(|(max, visibility, attempt)| Op::Receive { max, visibility, attempt }),
        3 => any::<u8>().prop_map(Op::Delete),
        1 => any::<u8>().prop_map(Op::DeleteBatch),
        2 => (any::<u8>(), 0u8..4).prop_map(|(p, v)| Op::ChangeVisibility(p, v)),
        1 => (any::<u8>(), 0u8..3).prop_map(|(p, a)| Op::Redeliver(p, a)),
        5 => prop_oneof![0u64..50, 900u64..1100, 0u64..5_000, Just(61_000u64)].prop_map(Op::Advance),
        2 => (0u8..7, any::<u8>()).prop_map(|(w, v)| Op::SetAttribute(w, v)),
        1 => (0u8..4).prop_map(Op::Tag),
        1 => (0u8..4).prop_map(Op::Untag),
        1 => (0u8..3).prop_map(Op::AddPermission),
        1 => (0u8..3).prop_map(Op::RemovePermission),
        1 => Just(Op::Purge),
        1 => Just(Op::Reset),
        1 => (1u8..4).prop_map(Op::MoveAndReturn),
        1 => Just(Op::Snapshot),
    ]
}

/// Limits small enough that random sequences reach every one of them.
fn create(flavour: Flavour) -> Queue {
    create_with(flavour, 3_000, 4, 3)
}

/// A queue with a 1 s dedup window and the given escape horizon and caps.
fn create_with(
    flavour: Flavour,
    horizon_ms: u64,
    tombstone_cap: usize,
    record_cap: usize,
) -> Queue {
    let (name, attrs): (&str, &[(&str, &str)]) = match flavour {
        Flavour::Standard => ("q", &[]),
        Flavour::FifoContent => (
            "q.fifo",
            &[("FifoQueue", "true"), ("ContentBasedDeduplication", "true")],
        ),
        Flavour::FifoPerGroup => (
            "q.fifo",
            &[
                ("FifoQueue", "true"),
                ("DeduplicationScope", "messageGroup"),
                ("FifoThroughputLimit", "perMessageGroupId"),
            ],
        ),
    };
    let attrs: BTreeMap<String, String> = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut settings =
        QueueSettings::new(name, format!("arn:aws:sqs:us-east-1:000000000000:{name}"));
    settings.dedup_window_ms = 1_000;
    settings.escape_horizon_ms = horizon_ms;
    settings.escape_tombstone_cap = tombstone_cap;
    settings.escape_record_cap = record_cap;
    Queue::create(
        settings,
        &attrs,
        &BTreeMap::new(),
        &resolve,
        Box::new(CountIds(0)),
        Timestamp(5_000),
    )
    .expect("valid queue")
}

fn resolve(arn: &str) -> Option<QueueKind> {
    match arn {
        DLQ_ARN => Some(QueueKind::Standard),
        DLQ_FIFO_ARN => Some(QueueKind::Fifo),
        _ => None,
    }
}

/// The queue's image through its byte encoding, restored.
fn round_trip(queue: &Queue) -> Queue {
    let bytes = queue.snapshot().encode();
    assert_eq!(
        queue.freeze().encode(),
        bytes,
        "a frozen queue encodes as its image does"
    );
    let image = QueueImage::decode(&bytes).expect("an image decodes");
    let ids = Box::new(CountIds(image.ids_drawn()));
    Queue::restore(image, ids).expect("an image restores")
}

fn send_request(
    flavour: Flavour,
    group: u8,
    dedup: u8,
    body: u8,
    delay: u8,
    extras: bool,
) -> SendRequest {
    let fifo = !matches!(flavour, Flavour::Standard);
    let mut attributes = MessageAttributes::new();
    let mut system = MessageAttributes::new();
    if extras {
        attributes.insert(
            "colour".into(),
            AttributeValue {
                data_type: "Binary".into(),
                binary_value: Some(vec![body, 0, 255]),
                ..AttributeValue::default()
            },
        );
        system.insert(
            "AWSTraceHeader".into(),
            AttributeValue {
                data_type: "String".into(),
                string_value: Some(format!("Root=1-{body:08x}")),
                ..AttributeValue::default()
            },
        );
    }
    SendRequest {
        body: format!("body-{body}"),
        // FIFO queues refuse a per-message delay: that error is compared too.
        delay_seconds: (delay > 0).then_some(i64::from(delay)),
        message_attributes: attributes,
        system_attributes: system,
        dedup_id: matches!(flavour, Flavour::FifoPerGroup).then(|| format!("d{dedup}")),
        group_id: (fifo || group == 3).then(|| format!("g{group}")),
        sender_id: Arc::from(if body.is_multiple_of(2) {
            "AIDA1"
        } else {
            "AIDA2"
        }),
    }
}

fn attribute(which: u8, value: u8) -> BTreeMap<String, String> {
    let (name, value) = match which {
        0 => ("VisibilityTimeout", (value % 4).to_string()),
        1 => ("DelaySeconds", (value % 3).to_string()),
        2 => (
            "MessageRetentionPeriod",
            (60 + u32::from(value)).to_string(),
        ),
        3 => (
            "RedrivePolicy",
            if value.is_multiple_of(3) {
                String::new()
            } else {
                format!(
                    r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":{}}}"#,
                    if value.is_multiple_of(2) {
                        DLQ_ARN
                    } else {
                        DLQ_FIFO_ARN
                    },
                    value % 3
                )
            },
        ),
        4 => (
            "ContentBasedDeduplication",
            (value.is_multiple_of(2)).to_string(),
        ),
        5 => (
            "DeduplicationScope",
            if value.is_multiple_of(2) {
                "queue"
            } else {
                "messageGroup"
            }
            .to_string(),
        ),
        _ => ("ReceiveMessageWaitTimeSeconds", (value % 21).to_string()),
    };
    BTreeMap::from([(name.to_string(), value)])
}

/// The queue and its twin, and the receipt handles answers handed out.
struct Twins {
    flavour: Flavour,
    a: Queue,
    b: Queue,
    handles: Vec<String>,
    now: u64,
}

impl Twins {
    fn same<T: PartialEq + std::fmt::Debug>(&self, a: T, b: T, what: &str) {
        assert_eq!(a, b, "{what} at {}", self.now);
    }

    fn handle(&self, pick: u8) -> String {
        if self.handles.is_empty() {
            "AQEBnot-a-handle".to_string()
        } else {
            self.handles[usize::from(pick) % self.handles.len()].clone()
        }
    }

    fn step(&mut self, op: &Op) {
        let now = Timestamp(self.now);
        match *op {
            Op::Send {
                group,
                dedup,
                body,
                delay,
                extras,
            } => {
                let req = send_request(self.flavour, group, dedup, body, delay, extras);
                let (x, y) = (self.a.send(req.clone(), now), self.b.send(req, now));
                self.same(x, y, "send");
            }
            Op::SendBatch(n) => {
                let entries: Vec<_> = (0..n)
                    .map(|i| BatchEntry {
                        id: format!("e{i}"),
                        item: send_request(self.flavour, i % 3, i, i.wrapping_mul(3), 0, i == 1),
                    })
                    .collect();
                let (x, y) = (
                    self.a.send_batch(entries.clone(), now),
                    self.b.send_batch(entries, now),
                );
                let fmt = |r: Result<Vec<_>, _>| format!("{r:?}");
                self.same(fmt(x), fmt(y), "send batch");
            }
            Op::Receive {
                max,
                visibility,
                attempt,
            } => {
                let req = ReceiveRequest {
                    max_number_of_messages: Some(i64::from(max)),
                    visibility_timeout: visibility.map(i64::from),
                    attempt_id: attempt.map(|a| format!("attempt-{a}")),
                    system_attribute_names: vec!["All".into()],
                    message_attribute_names: vec!["All".into()],
                };
                let (x, y) = (self.a.receive(&req, now), self.b.receive(&req, now));
                let view = |r: &Result<
                    fifowin_engine::ReceiveOutcome,
                    fifowin_engine::EngineError,
                >| match r {
                    Ok(o) => Ok((
                        o.messages.clone(),
                        o.dead_letters
                            .iter()
                            .map(|d| (d.target_arn.clone(), d.message_id().to_string()))
                            .collect::<Vec<_>>(),
                    )),
                    Err(e) => Err(e.clone()),
                };
                let (x, y) = (view(&x), view(&y));
                self.same(&x, &y, "receive");
                if let Ok((messages, _)) = x {
                    self.handles
                        .extend(messages.into_iter().map(|m| m.receipt_handle));
                }
            }
            Op::Delete(pick) => {
                let h = self.handle(pick);
                let (x, y) = (self.a.delete(&h, now), self.b.delete(&h, now));
                self.same(x, y, "delete");
            }
            Op::DeleteBatch(pick) => {
                let entries: Vec<_> = (0..2u8)
                    .map(|i| BatchEntry {
                        id: format!("e{i}"),
                        item: self.handle(pick.wrapping_add(i)),
                    })
                    .collect();
                let (x, y) = (
                    self.a.delete_batch(entries.clone(), now),
                    self.b.delete_batch(entries, now),
                );
                self.same(format!("{x:?}"), format!("{y:?}"), "delete batch");
            }
            Op::ChangeVisibility(pick, v) => {
                let h = self.handle(pick);
                let (x, y) = (
                    self.a.change_visibility(&h, i64::from(v), now),
                    self.b.change_visibility(&h, i64::from(v), now),
                );
                self.same(x, y, "change visibility");
            }
            Op::Redeliver(pick, after) => {
                let h = self.handle(pick);
                let after = u64::from(after) * 500;
                let (x, y) = (
                    self.a.redeliver(&h, after, now),
                    self.b.redeliver(&h, after, now),
                );
                self.same(x, y, "redeliver");
            }
            Op::Advance(ms) => self.now += ms,
            Op::SetAttribute(which, value) => {
                let attrs = attribute(which, value);
                let (x, y) = (
                    self.a.set_attributes(&attrs, &resolve, now),
                    self.b.set_attributes(&attrs, &resolve, now),
                );
                self.same(x, y, "set attributes");
            }
            Op::Tag(k) => {
                let tags = BTreeMap::from([(format!("k{k}"), format!("v{}", self.now))]);
                let (x, y) = (self.a.tag(&tags), self.b.tag(&tags));
                self.same(x, y, "tag");
            }
            Op::Untag(k) => {
                let keys = [format!("k{k}")];
                let (x, y) = (self.a.untag(&keys), self.b.untag(&keys));
                self.same(x, y, "untag");
            }
            Op::AddPermission(l) => {
                let (label, accounts, actions) = (
                    format!("l{l}"),
                    ["111122223333".to_string()],
                    ["SendMessage".to_string()],
                );
                let (x, y) = (
                    self.a.add_permission(&label, &accounts, &actions, now),
                    self.b.add_permission(&label, &accounts, &actions, now),
                );
                self.same(x, y, "add permission");
            }
            Op::RemovePermission(l) => {
                let label = format!("l{l}");
                let (x, y) = (
                    self.a.remove_permission(&label, now),
                    self.b.remove_permission(&label, now),
                );
                self.same(x, y, "remove permission");
            }
            Op::Purge => {
                let (x, y) = (self.a.purge(now), self.b.purge(now));
                self.same(x, y, "purge");
            }
            Op::Reset => {
                self.a.reset(now);
                self.b.reset(now);
            }
            Op::MoveAndReturn(max) => {
                let (x, y) = (
                    self.a.take_for_move(usize::from(max), now),
                    self.b.take_for_move(usize::from(max), now),
                );
                let ids = |m: &[fifowin_engine::MovedMessage]| {
                    m.iter()
                        .map(|m| m.message_id().to_string())
                        .collect::<Vec<_>>()
                };
                self.same(ids(&x), ids(&y), "take for move");
                for m in x {
                    self.a.return_moved(m, now);
                }
                for m in y {
                    self.b.return_moved(m, now);
                }
            }
            Op::Snapshot => self.b = round_trip(&self.a),
        }
        self.compare_views();
    }

    /// Every read the API offers, and the images themselves.
    fn compare_views(&mut self) {
        let now = Timestamp(self.now);
        let all = ["All".to_string()];
        let (x, y) = (
            self.a.get_attributes(&all, now),
            self.b.get_attributes(&all, now),
        );
        self.same(x, y, "attributes");
        let (x, y) = (self.a.messages(now, true), self.b.messages(now, true));
        self.same(x, y, "messages");
        let (x, y) = (self.a.dedup_entries(now), self.b.dedup_entries(now));
        self.same(x, y, "dedup entries");
        let (x, y) = (
            self.a.expired_dedup_ids(now, 100),
            self.b.expired_dedup_ids(now, 100),
        );
        self.same(x, y, "expired dedup ids");
        self.same(self.a.escapes(), self.b.escapes(), "escapes");
        self.same(self.a.stats(), self.b.stats(), "stats");
        self.same(self.a.tags().clone(), self.b.tags().clone(), "tags");
        self.same(self.a.tombstone_len(), self.b.tombstone_len(), "tombstones");
        let lags = |q: &Queue| {
            (
                q.retry_lags().count(),
                q.retry_lags().sum_ms(),
                q.retry_lags().cumulative_buckets(),
                q.retry_lags().since(),
            )
        };
        self.same(lags(&self.a), lags(&self.b), "retry lags");
        self.same(self.a.snapshot(), self.b.snapshot(), "images");
        // A restored queue holds no timers made stale by earlier changes, so
        // its next deadline may be later than the original's, never earlier.
        let later = |a: Option<Timestamp>, b: Option<Timestamp>| match (a, b) {
            (_, None) => true,
            (Some(a), Some(b)) => a <= b,
            (None, Some(_)) => false,
        };
        assert!(
            later(self.a.next_deadline(), self.b.next_deadline()),
            "next deadline at {}",
            self.now
        );
    }
}

fn run(flavour: Flavour, snapshot_at: usize, ops: &[Op]) {
    let a = create(flavour);
    let b = create(flavour);
    let mut twins = Twins {
        flavour,
        a,
        b,
        handles: Vec::new(),
        now: 5_000,
    };
    let mut frozen = None;
    for (i, op) in ops.iter().enumerate() {
        if i == snapshot_at % (ops.len() + 1) {
            twins.step(&Op::Snapshot);
            frozen = Some((twins.a.freeze(), twins.a.snapshot()));
        }
        twins.step(op);
    }
    // The end of the run is a snapshot point too.
    twins.step(&Op::Snapshot);
    twins.step(&Op::Advance(10_000));
    if let Some((frozen, image)) = frozen {
        assert_eq!(QueueImage::from(frozen), image, "a frozen queue changed");
    }
}

/// Many chunks of messages, live keys and tombstones (stale entries among
/// them), with attempt records, frozen, then changed in every part: the frozen queue still gives the
/// image of the moment it was frozen, and the queue does not.
#[test]
fn a_frozen_queue_keeps_its_state_while_the_queue_changes() {
    let mut queue = create_with(Flavour::FifoPerGroup, 60_000, 100_000, 100);
    let send = |queue: &mut Queue, i: u32, now: u64| {
        let request = SendRequest {
            body: format!("body-{i}"),
            dedup_id: Some(format!("d{i}")),
            group_id: Some(format!("g{}", i % 50)),
            sender_id: Arc::from("AIDA1"),
            ..SendRequest::default()
        };
        queue.send(request, Timestamp(now)).expect("valid send");
    };
    let receive = |queue: &mut Queue, attempt: u32, now: u64| {
        let request = ReceiveRequest {
            max_number_of_messages: Some(10),
            visibility_timeout: Some(30),
            attempt_id: Some(format!("attempt-{attempt}")),
            ..ReceiveRequest::default()
        };
        let out = queue
            .receive(&request, Timestamp(now))
            .expect("valid receive");
        out.messages
            .into_iter()
            .map(|m| m.receipt_handle)
            .collect::<Vec<_>>()
    };
    for i in 0..3_000 {
        send(&mut queue, i, 5_000);
    }
    // The first keys expire into tombstones; some come back as escapes,
    // leaving stale entries in the tombstone order.
    for i in 3_000..6_000 {
        send(&mut queue, i, 6_500);
    }
    for i in 0..100 {
        send(&mut queue, i * 7, 6_600);
    }
    let mut handles = Vec::new();
    for attempt in 0..30 {
        handles.extend(receive(&mut queue, attempt, 6_700));
    }
    for handle in handles.iter().step_by(3) {
        queue
            .delete(handle, Timestamp(6_800))
            .expect("a current handle");
    }
    assert!(queue.tombstone_len() > 2_000 && queue.dedup_len() > 3_000);

    let image = queue.snapshot();
    let frozen = queue.freeze();
    for attempt in 30..90 {
        for handle in receive(&mut queue, attempt, 7_000) {
            queue
                .delete(&handle, Timestamp(7_000))
                .expect("a current handle");
        }
    }
    for i in 6_000..9_000 {
        send(&mut queue, i, 8_000);
    }
    for i in 0..100 {
        send(&mut queue, i * 11, 8_100);
    }
    queue.counts(Timestamp(20_000));
    queue.purge(Timestamp(20_000)).expect("first purge");
    assert_ne!(queue.snapshot(), image);
    assert_eq!(QueueImage::from(frozen), image);
}

proptest! {
    // 256 sequences per queue flavour in CI; PROPTEST_CASES=100000 for a longer run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn a_restored_standard_queue_answers_as_the_original(at in any::<usize>(), ops in prop::collection::vec(op(), 0..120)) {
        run(Flavour::Standard, at, &ops);
    }

    #[test]
    fn a_restored_fifo_queue_answers_as_the_original(at in any::<usize>(), ops in prop::collection::vec(op(), 0..120)) {
        run(Flavour::FifoContent, at, &ops);
    }

    #[test]
    fn a_restored_per_group_fifo_queue_answers_as_the_original(at in any::<usize>(), ops in prop::collection::vec(op(), 0..120)) {
        run(Flavour::FifoPerGroup, at, &ops);
    }
}

/// A queue with something in every part of its state.
fn busy_fifo() -> Queue {
    let mut twins = Twins {
        flavour: Flavour::FifoPerGroup,
        a: create(Flavour::FifoPerGroup),
        b: create(Flavour::FifoPerGroup),
        handles: Vec::new(),
        now: 5_000,
    };
    for op in [
        Op::Send {
            group: 0,
            dedup: 0,
            body: 0,
            delay: 0,
            extras: true,
        },
        Op::Send {
            group: 1,
            dedup: 1,
            body: 1,
            delay: 0,
            extras: false,
        },
        Op::Send {
            group: 1,
            dedup: 1,
            body: 1,
            delay: 0,
            extras: false,
        },
        Op::Receive {
            max: 1,
            visibility: Some(3),
            attempt: Some(1),
        },
        Op::Advance(1_500),
        Op::Send {
            group: 1,
            dedup: 1,
            body: 2,
            delay: 0,
            extras: false,
        },
    ] {
        twins.step(&op);
    }
    twins.a
}

#[test]
fn an_image_of_another_version_is_refused_before_its_body_is_read() {
    let mut bytes = busy_fifo().snapshot().encode();
    // The version is the first varint; 1 -> 2.
    assert_eq!(bytes[0], 1);
    bytes[0] = 2;
    assert_eq!(
        QueueImage::decode(&bytes),
        Err(SnapshotError::Version {
            found: 2,
            supported: 1
        })
    );
}

#[test]
fn a_truncated_or_padded_image_is_refused() {
    let bytes = busy_fifo().snapshot().encode();
    for cut in [1, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(
                QueueImage::decode(&bytes[..cut]),
                Err(SnapshotError::Decode(_))
            ),
            "cut at {cut}"
        );
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert_eq!(
        QueueImage::decode(&padded),
        Err(SnapshotError::Decode("1 bytes after the image".into()))
    );
    assert!(QueueImage::decode(&bytes).is_ok());
}

#[test]
fn an_image_that_does_not_hold_together_is_refused() {
    let queue = busy_fifo();
    let image = queue.snapshot();
    assert_eq!(image.message_count(), 3);
    assert_eq!(image.dedup_count(), 1);
    assert_eq!(image.ids_drawn(), 3);
    // Rename a FIFO queue's image to a standard queue name: the kinds disagree.
    let text = format!("{image:?}");
    assert!(text.contains("name: \"q.fifo\""));
    let bytes = image.encode();
    let renamed = replace_once(&bytes, b"\x06q.fifo", b"\x06q_fifo");
    let err =
        Queue::restore(QueueImage::decode(&renamed).unwrap(), Box::new(CountIds(3))).unwrap_err();
    assert_eq!(
        err,
        SnapshotError::Inconsistent {
            queue: "q_fifo".into(),
            problem: "FifoQueue is true for a queue named \"q_fifo\"".into()
        }
    );
    // A dedup key without its group separator in a messageGroup-scope table.
    let unscoped = replace_once(&bytes, b"\x05g1\nd1", b"\x05g1-d1");
    let err = Queue::restore(
        QueueImage::decode(&unscoped).unwrap(),
        Box::new(CountIds(3)),
    )
    .unwrap_err();
    assert!(
        matches!(&err, SnapshotError::Inconsistent { problem, .. } if problem.contains("does not fit the table's scope")),
        "{err}"
    );
}

/// `bytes` with the first occurrence of `from` (which must occur) replaced by `to`.
fn replace_once(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the pattern occurs");
    let mut out = bytes.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}
