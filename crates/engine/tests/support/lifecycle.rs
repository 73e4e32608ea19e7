//! A reference model of a standard queue's message lifecycle (delayed, visible,
//! in flight, deleted), driven by an operation sequence decoded from raw bytes and
//! checked against the engine after every step. Shared by the proptest in
//! `tests/lifecycle_model.rs` (bounded, in `cargo test`) and the cargo-fuzz target
//! `fuzz/fuzz_targets/engine_ops.rs` (coverage-guided, for as long as you like).
//!
//! Checked: a message is only delivered when the model says it is receivable (so
//! never while in flight or delayed, and never after its delete); the engine's
//! counts equal the model's; and at the end every message not deleted is still
//! there (nothing lost). One operation replaces the queue by the restore of
//! its snapshot (through the image's bytes), so the model checks restored
//! queues too.

use std::collections::{BTreeMap, HashMap};

use fifowin_engine::{
    Queue, QueueImage, QueueKind, QueueSettings, ReceiveRequest, SendRequest, SeqIds, Timestamp,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Receivable from this time on (a delay, or an expired visibility timeout).
    Waiting {
        from: u64,
        received: bool,
    },
    InFlight {
        until: u64,
    },
    Deleted,
}

struct Message {
    state: State,
    /// The handle of the latest receive.
    handle: Option<String>,
}

/// Runs the operations encoded in `data`; panics on the first disagreement.
pub(crate) fn run(data: &[u8]) {
    let mut q = Queue::create(
        QueueSettings::new("m", "arn:aws:sqs:us-east-1:000000000000:m"),
        &BTreeMap::new(),
        &BTreeMap::new(),
        &|_: &str| None::<QueueKind>,
        Box::new(SeqIds::default()),
        Timestamp(0),
    )
    .expect("valid queue");
    let mut model: HashMap<String, Message> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut now = 1u64;
    for chunk in data.chunks_exact(3).take(500) {
        let (kind, a, b) = (chunk[0] % 6, chunk[1], chunk[2]);
        match kind {
            0 => {
                let delay = i64::from(a % 4);
                let out = q
                    .send(
                        SendRequest {
                            body: format!("b{}", order.len()),
                            delay_seconds: Some(delay),
                            ..SendRequest::default()
                        },
                        Timestamp(now),
                    )
                    .expect("valid send");
                let from = now + delay as u64 * 1000;
                model.insert(
                    out.message_id.clone(),
                    Message {
                        state: State::Waiting {
                            from,
                            received: false,
                        },
                        handle: None,
                    },
                );
                order.push(out.message_id);
            }
            1 => {
                let max = i64::from(a % 10 + 1);
                let vis = i64::from(b % 6);
                let got = q
                    .receive(
                        &ReceiveRequest {
                            max_number_of_messages: Some(max),
                            visibility_timeout: Some(vis),
                            ..ReceiveRequest::default()
                        },
                        Timestamp(now),
                    )
                    .expect("valid receive");
                assert!(got.messages.len() as i64 <= max);
                for m in got.messages {
                    let entry = model
                        .get_mut(&m.message_id)
                        .expect("a message that was sent");
                    match entry.state {
                        State::Waiting { from, .. } if from <= now => {}
                        State::InFlight { until } if until <= now => {}
                        other => panic!("delivered {} at {now} while {other:?}", m.message_id),
                    }
                    entry.state = if vis == 0 {
                        State::Waiting {
                            from: now,
                            received: true,
                        }
                    } else {
                        State::InFlight {
                            until: now + vis as u64 * 1000,
                        }
                    };
                    entry.handle = Some(m.receipt_handle);
                }
            }
            2 | 3 => {
                // Only on messages in flight, with their latest handle: the cases
                // whose outcome SQS defines.
                let in_flight: Vec<&String> = order
                    .iter()
                    .filter(
                        |id| matches!(model[*id].state, State::InFlight { until } if until > now),
                    )
                    .collect();
                if in_flight.is_empty() {
                    continue;
                }
                let id = in_flight[usize::from(a) % in_flight.len()].clone();
                let entry = model.get_mut(&id).expect("known");
                let handle = entry.handle.clone().expect("received");
                if kind == 2 {
                    q.delete(&handle, Timestamp(now))
                        .expect("a current handle deletes");
                    entry.state = State::Deleted;
                } else {
                    let vis = i64::from(b % 6);
                    q.change_visibility(&handle, vis, Timestamp(now))
                        .expect("a current handle changes visibility");
                    entry.state = if vis == 0 {
                        State::Waiting {
                            from: now,
                            received: true,
                        }
                    } else {
                        State::InFlight {
                            until: now + vis as u64 * 1000,
                        }
                    };
                }
            }
            4 => now += u64::from(a) * 50,
            _ => q = restored(&q),
        }
        let counts = q.counts(Timestamp(now));
        let (mut live, mut in_flight, mut delayed) = (0, 0, 0);
        for m in model.values() {
            match m.state {
                State::Deleted => {}
                State::InFlight { until } if until > now => {
                    live += 1;
                    in_flight += 1;
                }
                State::Waiting {
                    from,
                    received: false,
                } if from > now => {
                    live += 1;
                    delayed += 1;
                }
                _ => live += 1,
            }
        }
        assert_eq!(
            (
                counts.visible + counts.in_flight + counts.delayed,
                counts.in_flight,
                counts.delayed
            ),
            (live, in_flight, delayed),
            "counts at {now}"
        );
    }
    // Nothing lost: an hour later, every message not deleted comes out.
    now += 3_600_000;
    let mut left: Vec<String> = order
        .iter()
        .filter(|id| model[*id].state != State::Deleted)
        .cloned()
        .collect();
    left.sort();
    let mut drained = Vec::new();
    loop {
        let got = q
            .receive(
                &ReceiveRequest {
                    max_number_of_messages: Some(10),
                    visibility_timeout: Some(43_200),
                    ..ReceiveRequest::default()
                },
                Timestamp(now),
            )
            .expect("valid receive");
        if got.messages.is_empty() {
            break;
        }
        drained.extend(got.messages.into_iter().map(|m| m.message_id));
    }
    drained.sort();
    assert_eq!(drained, left, "messages left at the end");
}

/// `queue` restored from its snapshot, through the image's bytes.
fn restored(queue: &Queue) -> Queue {
    let bytes = queue.snapshot().encode();
    assert_eq!(
        queue.freeze().encode(),
        bytes,
        "a frozen queue encodes as its image does"
    );
    let image = QueueImage::decode(&bytes).expect("an image decodes");
    let ids = Box::new(SeqIds::after(image.ids_drawn()));
    Queue::restore(image, ids).expect("an image restores")
}
