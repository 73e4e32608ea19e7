//! Model check of the dedup window: random sends, clock advances, deletes and
//! purges against a tiny reference model of first-accepted times, through the
//! public `Queue` API. Duplicate / accepted / escape decisions (and lateness)
//! must agree on every send.

use std::collections::{BTreeMap, HashMap};

use fifowin_engine::{
    Queue, QueueKind, QueueSettings, ReceiveRequest, SendRequest, SeqIds, Timestamp,
};
use proptest::prelude::*;

const WINDOW: u64 = 1_000;
const HORIZON: u64 = 3_000;
const PURGE_GUARD: u64 = 60_000;

#[derive(Clone, Debug)]
enum Op {
    Send { key: u8, group: u8 },
    Advance(u64),
    ReceiveAndDelete,
    Purge,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..6, 0u8..3).prop_map(|(key, group)| Op::Send { key, group }),
        4 => prop_oneof![0u64..10, WINDOW - 5..WINDOW + 5, 0u64..5_000, Just(PURGE_GUARD)]
            .prop_map(Op::Advance),
        1 => Just(Op::ReceiveAndDelete),
        1 => Just(Op::Purge),
    ]
}

/// What the model says a send at `now` is.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Duplicate,
    New,
    Escape { late_by_ms: u64 },
}

#[derive(Default)]
struct Model {
    /// Key -> first accepted send of its latest window (live or expired).
    first_accepted: HashMap<(Option<u8>, u8), u64>,
    last_purge: Option<u64>,
}

impl Model {
    fn send(&mut self, key: (Option<u8>, u8), now: u64) -> Decision {
        let decision = match self.first_accepted.get(&key) {
            Some(&first) if now < first + WINDOW => return Decision::Duplicate,
            Some(&first) if now < first + WINDOW + HORIZON => Decision::Escape {
                late_by_ms: now - (first + WINDOW),
            },
            _ => Decision::New,
        };
        self.first_accepted.insert(key, now);
        decision
    }

    fn purge(&mut self, now: u64) -> bool {
        if self.last_purge.is_some_and(|last| now < last + PURGE_GUARD) {
            return false;
        }
        self.last_purge = Some(now);
        // Live keys are forgotten; keys already expired stay as tombstones.
        self.first_accepted
            .retain(|_, first| *first + WINDOW <= now);
        true
    }
}

fn queue(by_group: bool) -> Queue {
    let mut settings = QueueSettings::new("m.fifo", "arn:aws:sqs:us-east-1:000000000000:m.fifo");
    settings.dedup_window_ms = WINDOW;
    settings.escape_horizon_ms = HORIZON;
    let mut attrs = BTreeMap::from([("FifoQueue".to_string(), "true".to_string())]);
    if by_group {
        attrs.insert("DeduplicationScope".into(), "messageGroup".into());
    }
    Queue::create(
        settings,
        &attrs,
        &BTreeMap::new(),
        &|_: &str| None::<QueueKind>,
        Box::new(SeqIds::default()),
        Timestamp(0),
    )
    .expect("valid queue")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn dedup_decisions_match_the_model(by_group in any::<bool>(), ops in prop::collection::vec(op(), 1..200)) {
        let mut q = queue(by_group);
        let mut model = Model::default();
        let mut now = 0u64;
        let mut ids: HashMap<(Option<u8>, u8), String> = HashMap::new();
        for op in ops {
            match op {
                Op::Send { key, group } => {
                    let model_key = (by_group.then_some(group), key);
                    let out = q
                        .send(
                            SendRequest {
                                body: format!("body-{key}-{group}"),
                                dedup_id: Some(format!("k{key}")),
                                group_id: Some(format!("g{group}")),
                                ..SendRequest::default()
                            },
                            Timestamp(now),
                        )
                        .expect("valid send");
                    let expected = model.send(model_key, now);
                    let got = match (&out.duplicate, &out.escape) {
                        (true, _) => Decision::Duplicate,
                        (false, Some(e)) => Decision::Escape { late_by_ms: e.late_by_ms },
                        (false, None) => Decision::New,
                    };
                    prop_assert_eq!(&got, &expected, "send k{} g{} at {}", key, group, now);
                    if got == Decision::Duplicate {
                        prop_assert_eq!(Some(&out.message_id), ids.get(&model_key));
                    } else {
                        ids.insert(model_key, out.message_id);
                    }
                }
                Op::Advance(ms) => now += ms,
                Op::ReceiveAndDelete => {
                    let got = q
                        .receive(&ReceiveRequest::default(), Timestamp(now))
                        .expect("valid receive");
                    for m in got.messages {
                        q.delete(&m.receipt_handle, Timestamp(now)).expect("current handle");
                    }
                }
                Op::Purge => {
                    let accepted = model.purge(now);
                    prop_assert_eq!(q.purge(Timestamp(now)).is_ok(), accepted);
                }
            }
            let live = model
                .first_accepted
                .values()
                .filter(|first| now < *first + WINDOW)
                .count();
            prop_assert_eq!(q.dedup_entries(Timestamp(now)).len(), live);
        }
    }
}
