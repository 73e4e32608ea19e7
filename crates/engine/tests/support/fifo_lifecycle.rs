//! A reference model of a FIFO queue's delivery order: per-group visible
//! prefixes, one group filled before the next, and groups taking turns: groups
//! are served in the order their head messages became visible (sent, visibility
//! expired or changed, received with visibility 0), so a group a receive has
//! just delivered from comes back behind the groups that were waiting. Every
//! operation runs on the engine and the model; a receive must return exactly the
//! model's messages in the model's order. Shared by the proptest and the
//! recorded-AWS cases in `tests/fifo_lifecycle_model.rs`.
//!
//! One operation replaces the queue by the restore of its snapshot, so the
//! model checks restored queues too.
//!
//! The model is deliberately naive (it sorts all groups on every receive and
//! finds expiries by scanning), so it shares no structure with the engine's
//! indexes.

use std::collections::BTreeMap;

use fifowin_engine::{
    Queue, QueueImage, QueueKind, QueueSettings, ReceiveRequest, SendRequest, SeqIds, Timestamp,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Visible,
    InFlight { until: u64 },
    Deleted,
}

#[derive(Debug)]
struct Message {
    body: String,
    group: String,
    message_id: String,
    state: State,
    /// While visible: the order in which it became visible.
    since: u64,
    /// The handle of the latest receive.
    handle: Option<String>,
}

/// The engine queue and the model side by side; every call checks they agree.
pub(crate) struct Harness {
    queue: Queue,
    /// Queue VisibilityTimeout in ms.
    visibility_ms: u64,
    /// In send order.
    messages: Vec<Message>,
    /// The next `since`.
    next_since: u64,
    pub(crate) now: u64,
}

impl Harness {
    /// A FIFO queue with content-based dedup and this VisibilityTimeout.
    pub(crate) fn new(visibility_secs: u32) -> Self {
        let attrs: BTreeMap<String, String> = [
            ("FifoQueue", "true".to_string()),
            ("ContentBasedDeduplication", "true".to_string()),
            ("VisibilityTimeout", visibility_secs.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let queue = Queue::create(
            QueueSettings::new("m.fifo", "arn:aws:sqs:us-east-1:000000000000:m.fifo"),
            &attrs,
            &BTreeMap::new(),
            &|_: &str| None::<QueueKind>,
            Box::new(SeqIds::default()),
            Timestamp(0),
        )
        .expect("valid queue");
        Self {
            queue,
            visibility_ms: u64::from(visibility_secs) * 1000,
            messages: Vec::new(),
            next_since: 0,
            now: 1,
        }
    }

    pub(crate) fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    fn since(&mut self) -> u64 {
        self.next_since += 1;
        self.next_since
    }

    /// Messages whose visibility ran out become visible, in the order of the
    /// instants they did (send order among equal instants).
    fn expire(&mut self) {
        let now = self.now;
        let mut due: Vec<(u64, usize)> = self
            .messages
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m.state {
                State::InFlight { until } if until <= now => Some((until, i)),
                _ => None,
            })
            .collect();
        due.sort_unstable();
        for (_, i) in due {
            let since = self.since();
            self.messages[i].state = State::Visible;
            self.messages[i].since = since;
        }
    }

    /// Sends `body` (unique) to `group`.
    pub(crate) fn send(&mut self, group: &str, body: &str) {
        self.expire();
        let out = self
            .queue
            .send(
                SendRequest {
                    body: body.to_string(),
                    group_id: Some(group.to_string()),
                    ..SendRequest::default()
                },
                Timestamp(self.now),
            )
            .expect("valid send");
        let since = self.since();
        self.messages.push(Message {
            body: body.to_string(),
            group: group.to_string(),
            message_id: out.message_id,
            state: State::Visible,
            since,
            handle: None,
        });
        self.check_counts();
    }

    /// What the model says a receive returns now (indexes into `messages`).
    fn expected_receive(&mut self, max: usize) -> Vec<usize> {
        self.expire();
        // Each group's head (first message not deleted), if it is visible.
        let mut heads: Vec<(u64, &str)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for m in &self.messages {
            if m.state == State::Deleted || seen.contains(&m.group.as_str()) {
                continue;
            }
            seen.push(&m.group);
            if m.state == State::Visible {
                heads.push((m.since, &m.group));
            }
        }
        heads.sort_unstable();
        let mut out = Vec::new();
        for (_, group) in heads {
            for (i, m) in self.messages.iter().enumerate() {
                if m.group != group || m.state == State::Deleted {
                    continue;
                }
                if m.state != State::Visible || out.len() == max {
                    break;
                }
                out.push(i);
            }
        }
        out
    }

    /// Receives up to `max` (visibility `vis` seconds, or the queue's); asserts
    /// the engine returned exactly what the model expects; returns the bodies.
    pub(crate) fn receive(&mut self, max: usize, vis: Option<u32>) -> Vec<String> {
        let got = self
            .queue
            .receive(
                &ReceiveRequest {
                    max_number_of_messages: Some(max as i64),
                    visibility_timeout: vis.map(i64::from),
                    ..ReceiveRequest::default()
                },
                Timestamp(self.now),
            )
            .expect("valid receive");
        let expected = self.expected_receive(max);
        let got_ids: Vec<&str> = got.messages.iter().map(|m| m.message_id.as_str()).collect();
        let want_ids: Vec<&str> = expected
            .iter()
            .map(|&i| self.messages[i].message_id.as_str())
            .collect();
        let bodies: Vec<String> = expected
            .iter()
            .map(|&i| self.messages[i].body.clone())
            .collect();
        assert_eq!(
            got_ids, want_ids,
            "receive(max {max}) at {}: model expects {bodies:?}",
            self.now
        );
        let vis_ms = vis.map_or(self.visibility_ms, |v| u64::from(v) * 1000);
        for (&i, m) in expected.iter().zip(got.messages) {
            if vis_ms == 0 {
                // Visible again at once: behind everything visible before.
                let since = self.since();
                self.messages[i].since = since;
            } else {
                self.messages[i].state = State::InFlight {
                    until: self.now + vis_ms,
                };
            }
            self.messages[i].handle = Some(m.receipt_handle);
        }
        self.check_counts();
        bodies
    }

    /// Bodies of messages in flight now, in send order.
    pub(crate) fn in_flight(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter(|m| matches!(m.state, State::InFlight { until } if until > self.now))
            .map(|m| m.body.clone())
            .collect()
    }

    fn index(&self, body: &str) -> usize {
        self.messages
            .iter()
            .position(|m| m.body == body)
            .expect("a message that was sent")
    }

    /// Deletes the in-flight message `body` with its latest handle.
    pub(crate) fn delete(&mut self, body: &str) {
        self.expire();
        let i = self.index(body);
        let handle = self.messages[i].handle.clone().expect("received");
        self.queue
            .delete(&handle, Timestamp(self.now))
            .expect("a current handle deletes");
        self.messages[i].state = State::Deleted;
        self.check_counts();
    }

    /// ChangeMessageVisibility of the in-flight message `body` to `vis` seconds.
    pub(crate) fn change_visibility(&mut self, body: &str, vis: u32) {
        self.expire();
        let i = self.index(body);
        let handle = self.messages[i].handle.clone().expect("received");
        self.queue
            .change_visibility(&handle, i64::from(vis), Timestamp(self.now))
            .expect("a current handle changes visibility");
        if vis == 0 {
            let since = self.since();
            self.messages[i].state = State::Visible;
            self.messages[i].since = since;
        } else {
            self.messages[i].state = State::InFlight {
                until: self.now + u64::from(vis) * 1000,
            };
        }
        self.check_counts();
    }

    fn check_counts(&mut self) {
        let now = self.now;
        let counts = self.queue.counts(Timestamp(now));
        let in_flight = self
            .messages
            .iter()
            .filter(|m| matches!(m.state, State::InFlight { until } if until > now))
            .count() as u64;
        let live = self
            .messages
            .iter()
            .filter(|m| m.state != State::Deleted)
            .count() as u64;
        assert_eq!(
            (counts.visible + counts.in_flight, counts.in_flight),
            (live, in_flight),
            "counts at {now}"
        );
    }

    /// Replaces the queue by the restore of its snapshot (through the image's
    /// bytes): the model goes on checking the restored queue.
    pub(crate) fn restore(&mut self) {
        let bytes = self.queue.snapshot().encode();
        assert_eq!(
            self.queue.freeze().encode(),
            bytes,
            "a frozen queue encodes as its image does"
        );
        let image = QueueImage::decode(&bytes).expect("an image decodes");
        let ids = Box::new(SeqIds::after(image.ids_drawn()));
        self.queue = Queue::restore(image, ids).expect("an image restores");
    }

    /// Every message not deleted, after every visibility timeout has run out,
    /// comes out (in the model's order) when each receive's messages are deleted.
    pub(crate) fn drain(&mut self) {
        self.advance(43_200_000);
        let live = self
            .messages
            .iter()
            .filter(|m| m.state != State::Deleted)
            .count();
        let mut drained = 0;
        loop {
            let got = self.receive(10, Some(43_200));
            if got.is_empty() {
                break;
            }
            for body in &got {
                self.delete(body);
            }
            drained += got.len();
        }
        assert_eq!(
            drained, live,
            "every live message was delivered by the drain"
        );
    }
}

/// Runs the operations encoded in `data`; panics on the first disagreement.
pub(crate) fn run(data: &[u8]) {
    let mut h = Harness::new(u32::from(data.first().copied().unwrap_or(0) % 3));
    let mut sent = 0;
    for chunk in data.chunks_exact(3).take(500) {
        let (kind, a, b) = (chunk[0] % 6, chunk[1], chunk[2]);
        match kind {
            0 => {
                let group = format!("g{}", a % 4);
                h.send(&group, &format!("{group}-m{sent}"));
                sent += 1;
            }
            1 => {
                let vis = (b % 5 != 4).then_some(u32::from(b % 5));
                h.receive(usize::from(a % 10 + 1), vis);
            }
            2 | 3 => {
                // Only on messages in flight, with their latest handle: the cases
                // whose outcome SQS defines.
                let in_flight = h.in_flight();
                if in_flight.is_empty() {
                    continue;
                }
                let body = &in_flight[usize::from(a) % in_flight.len()];
                if kind == 2 {
                    h.delete(body);
                } else {
                    h.change_visibility(body, u32::from(b % 4));
                }
            }
            4 => h.advance(u64::from(a) * 50),
            _ => h.restore(),
        }
    }
    h.drain();
}
