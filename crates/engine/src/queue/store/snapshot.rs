//! The message store's part of a queue image: every message with all its
//! fields, in serial order, and the next visibility stamp. Timers, the age
//! index, the visible set, group order and counts are rebuilt on restore.
//!
//! [`Store::freeze`] shares the message chunks (time proportional to the
//! chunks, not the messages); [`FrozenStore::image`] converts them later, and
//! [`FrozenStore::encoded`] is what the image would encode to, borrowed from
//! the messages: durable snapshots encode that, building no image at all.

use std::num::NonZeroU64;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::dedup::DedupTable;
use crate::message::{AttributeValue, MessageAttributes};
use crate::seq_from_iter::SeqFromIter;

use super::{DedupId, Extras, Message, Messages, State, Store};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoreImage {
    next_stamp: u64,
    /// In serial order.
    messages: Vec<MessageImage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct MessageImage {
    serial: u64,
    /// The strings the engine keeps in an `Arc` are shared with it in the
    /// image, not copied: building an image then costs no allocation for them.
    message_id: Arc<str>,
    body: String,
    md5_of_body: [u8; 16],
    attributes: Vec<(String, AttributeImage)>,
    sender_id: Arc<str>,
    group: Option<Arc<str>>,
    dedup_id: DedupIdImage,
    sequence: Option<u64>,
    sent_at: u64,
    enqueued_at: u64,
    receive_count: u32,
    first_receive: Option<u64>,
    trace_header: Option<String>,
    dlq_source_arn: Option<String>,
    state: StateImage,
    receipt: u64,
    received_at: u64,
    visibility_changed: bool,
    visible_since: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AttributeImage {
    data_type: String,
    string_value: Option<String>,
    binary_value: Option<Vec<u8>>,
    string_list_values: Vec<String>,
    binary_list_values: Vec<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum DedupIdImage {
    None,
    Content,
    /// The dedup table's form of the key (group and newline first under messageGroup scope).
    Explicit(Arc<str>),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum StateImage {
    Delayed(u64),
    Visible,
    InFlight(u64),
}

/// A message's [`MessageImage`] borrowed from the message: the same fields in
/// the same order, with types that serialize alike (`&str` as `String`,
/// `&[u8]` as `Vec<u8>`), so it encodes to the same bytes (the snapshot model
/// tests compare them) without copying a body.
#[derive(Serialize)]
struct MessageImageRef<'a> {
    serial: u64,
    message_id: &'a str,
    body: &'a str,
    md5_of_body: [u8; 16],
    attributes: AttributesRef<'a>,
    sender_id: &'a str,
    group: Option<&'a str>,
    dedup_id: DedupIdImageRef<'a>,
    sequence: Option<u64>,
    sent_at: u64,
    enqueued_at: u64,
    receive_count: u32,
    first_receive: Option<u64>,
    trace_header: Option<&'a str>,
    dlq_source_arn: Option<&'a str>,
    state: StateImage,
    receipt: u64,
    received_at: u64,
    visibility_changed: bool,
    visible_since: u64,
}

/// A message's attributes as its image's (name, [`AttributeImage`]) pairs, borrowed.
struct AttributesRef<'a>(&'a MessageAttributes);

impl Serialize for AttributesRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for (name, v) in self.0 {
            let image = AttributeImageRef {
                data_type: &v.data_type,
                string_value: v.string_value.as_deref(),
                binary_value: v.binary_value.as_deref(),
                string_list_values: &v.string_list_values,
                binary_list_values: &v.binary_list_values,
            };
            seq.serialize_element(&(name.as_str(), image))?;
        }
        seq.end()
    }
}

/// [`AttributeImage`], borrowed.
#[derive(Serialize)]
struct AttributeImageRef<'a> {
    data_type: &'a str,
    string_value: Option<&'a str>,
    binary_value: Option<&'a [u8]>,
    string_list_values: &'a [String],
    binary_list_values: &'a [Vec<u8>],
}

/// [`DedupIdImage`], borrowed: the same variants in the same order.
#[derive(Serialize)]
enum DedupIdImageRef<'a> {
    None,
    Content,
    Explicit(&'a str),
}

/// The queue counters a message's numbers must stay below.
pub(crate) struct Counters {
    pub(crate) next_serial: u64,
    pub(crate) next_sequence: u64,
    pub(crate) next_receive: u64,
}

impl StoreImage {
    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }
}

fn message_image(serial: u64, m: &Message) -> MessageImage {
    let extras = m.extras.as_deref();
    MessageImage {
        serial,
        message_id: Arc::clone(&m.message_id),
        body: m.body.to_string(),
        md5_of_body: m.md5_of_body,
        attributes: m
            .attributes
            .iter()
            .map(|(name, v)| {
                let v = v.clone();
                let image = AttributeImage {
                    data_type: v.data_type,
                    string_value: v.string_value,
                    binary_value: v.binary_value,
                    string_list_values: v.string_list_values,
                    binary_list_values: v.binary_list_values,
                };
                (name.clone(), image)
            })
            .collect(),
        sender_id: Arc::clone(&m.sender_id),
        group: m.group.clone(),
        dedup_id: match &m.dedup_id {
            DedupId::None => DedupIdImage::None,
            DedupId::Content => DedupIdImage::Content,
            DedupId::Explicit(key) => DedupIdImage::Explicit(Arc::clone(key)),
        },
        sequence: m.sequence.map(NonZeroU64::get),
        sent_at: m.sent_at.as_millis(),
        enqueued_at: m.enqueued_at.as_millis(),
        receive_count: m.receive_count,
        first_receive: m.first_receive.map(Timestamp::as_millis),
        trace_header: extras.and_then(|e| e.trace_header.clone()),
        dlq_source_arn: extras.and_then(|e| e.dlq_source_arn.clone()),
        state: state_image(m.state),
        receipt: m.receipt,
        received_at: m.received_at.as_millis(),
        visibility_changed: m.visibility_changed,
        visible_since: m.visible_since,
    }
}

fn message_image_ref(serial: u64, m: &Message) -> MessageImageRef<'_> {
    let extras = m.extras.as_deref();
    MessageImageRef {
        serial,
        message_id: &m.message_id,
        body: &m.body,
        md5_of_body: m.md5_of_body,
        attributes: AttributesRef(&m.attributes),
        sender_id: &m.sender_id,
        group: m.group.as_deref(),
        dedup_id: match &m.dedup_id {
            DedupId::None => DedupIdImageRef::None,
            DedupId::Content => DedupIdImageRef::Content,
            DedupId::Explicit(key) => DedupIdImageRef::Explicit(key),
        },
        sequence: m.sequence.map(NonZeroU64::get),
        sent_at: m.sent_at.as_millis(),
        enqueued_at: m.enqueued_at.as_millis(),
        receive_count: m.receive_count,
        first_receive: m.first_receive.map(Timestamp::as_millis),
        trace_header: extras.and_then(|e| e.trace_header.as_deref()),
        dlq_source_arn: extras.and_then(|e| e.dlq_source_arn.as_deref()),
        state: state_image(m.state),
        receipt: m.receipt,
        received_at: m.received_at.as_millis(),
        visibility_changed: m.visibility_changed,
        visible_since: m.visible_since,
    }
}

fn state_image(state: State) -> StateImage {
    match state {
        State::Delayed(t) => StateImage::Delayed(t.as_millis()),
        State::Visible => StateImage::Visible,
        State::InFlight(t) => StateImage::InFlight(t.as_millis()),
    }
}

/// `last` when it holds the same text as `value` (consecutive messages of one
/// sender share their SenderId), else `value`, then kept in `last`.
fn shared(last: &mut Arc<str>, value: Arc<str>) -> Arc<str> {
    if **last != *value {
        *last = value;
    }
    Arc::clone(last)
}

/// A store's messages at one instant, sharing the store's chunks.
#[derive(Debug)]
pub(crate) struct FrozenStore {
    next_stamp: u64,
    messages: Messages,
}

impl FrozenStore {
    pub(crate) fn image(&self) -> StoreImage {
        // Sized up front: the chunks' iterator does not know its length, and
        // growing a vector of a million images copies it again and again.
        let mut messages = Vec::with_capacity(self.messages.len());
        messages.extend(
            self.messages
                .iter_ordered()
                .map(|(serial, m)| message_image(serial, m)),
        );
        StoreImage {
            next_stamp: self.next_stamp,
            messages,
        }
    }

    /// What [`Self::image`] encodes to, serialized from the messages in place.
    pub(crate) fn encoded(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        struct StoreImageRef<M> {
            next_stamp: u64,
            messages: M,
        }
        StoreImageRef {
            next_stamp: self.next_stamp,
            messages: SeqFromIter::new(self.messages.len(), || {
                self.messages
                    .iter_ordered()
                    .map(|(serial, m)| message_image_ref(serial, m))
            }),
        }
    }

    /// Stored messages.
    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }
}

impl Store {
    /// The messages as they are now, for [`FrozenStore::image`].
    pub(crate) fn freeze(&self) -> FrozenStore {
        FrozenStore {
            next_stamp: self.next_stamp,
            messages: self.messages.clone(),
        }
    }

    /// The store `image` describes; message ids and dedup keys share the
    /// allocations of `dedup`'s live entries, as they do when sent, and
    /// SenderIds are shared between consecutive messages and with `last_sender`.
    pub(crate) fn restore(
        image: StoreImage,
        fifo: bool,
        retention_ms: u64,
        counters: Counters,
        dedup: &DedupTable,
        last_sender: &mut Arc<str>,
    ) -> Result<Store, String> {
        let mut store = Store::new(fifo, retention_ms);
        store.next_stamp = image.next_stamp;
        let mut previous = 0;
        let mut sender = Arc::clone(last_sender);
        let mut visible_stamps = Vec::new();
        // Messages in serial order have increasing sequence numbers, as live
        // dedup entries do: one walk pairs each message with its entry.
        let mut live = dedup.live_by_sequence().peekable();
        for m in image.messages {
            let serial = m.serial;
            let problem = |what: &str| format!("message {serial} ({}): {what}", m.message_id);
            if serial <= previous || serial >= counters.next_serial {
                return Err(problem("serial out of order or not below the next serial"));
            }
            previous = serial;
            if m.receipt >= counters.next_receive {
                return Err(problem("received by a receive not yet made"));
            }
            let sequence = match (fifo, m.sequence) {
                (true, Some(s)) if s < counters.next_sequence => NonZeroU64::new(s),
                (false, None) => None,
                _ => return Err(problem("sequence number does not fit the queue")),
            };
            if fifo && m.group.is_none() {
                return Err(problem("a FIFO message without a group"));
            }
            let state = match m.state {
                StateImage::Delayed(t) => State::Delayed(Timestamp(t)),
                StateImage::Visible => {
                    if m.visible_since >= store.next_stamp {
                        return Err(problem("visible since a stamp not yet given"));
                    }
                    visible_stamps.push(m.visible_since);
                    State::Visible
                }
                StateImage::InFlight(t) => State::InFlight(Timestamp(t)),
            };
            let original = sequence.and_then(|s| {
                while live.next_if(|(at, _, _)| *at < s.get()).is_some() {}
                live.next_if(|(at, _, _)| *at == s.get())
                    .map(|(_, key, id)| (key, id))
            });
            let message_id = match original {
                Some((_, id)) if **id == *m.message_id => Arc::clone(id),
                _ => m.message_id,
            };
            let dedup_id = match m.dedup_id {
                DedupIdImage::None => DedupId::None,
                DedupIdImage::Content => DedupId::Content,
                DedupIdImage::Explicit(key) if key.contains('\n') != dedup.by_group() => {
                    return Err(format!(
                        "message {serial} ({message_id}): dedup key {key:?} does not fit the table's scope"
                    ));
                }
                DedupIdImage::Explicit(key) => match original {
                    Some((stored, _)) if **stored == *key => DedupId::Explicit(Arc::clone(stored)),
                    _ => DedupId::Explicit(key),
                },
            };
            if !fifo && dedup_id != DedupId::None {
                return Err(format!(
                    "message {serial} ({message_id}): a dedup id on a standard queue"
                ));
            }
            let group = m
                .group
                .map(|g| if fifo { store.groups.intern(&g) } else { g });
            let extras = (m.trace_header.is_some() || m.dlq_source_arn.is_some()).then(|| {
                Box::new(Extras {
                    trace_header: m.trace_header,
                    dlq_source_arn: m.dlq_source_arn,
                })
            });
            let attributes: MessageAttributes = m
                .attributes
                .into_iter()
                .map(|(name, v)| {
                    let value = AttributeValue {
                        data_type: v.data_type,
                        string_value: v.string_value,
                        binary_value: v.binary_value,
                        string_list_values: v.string_list_values,
                        binary_list_values: v.binary_list_values,
                    };
                    (name, value)
                })
                .collect();
            let message = Box::new(Message {
                message_id,
                body: m.body.into_boxed_str(),
                md5_of_body: m.md5_of_body,
                attributes,
                sender_id: shared(&mut sender, m.sender_id),
                group,
                dedup_id,
                sequence,
                sent_at: Timestamp(m.sent_at),
                enqueued_at: Timestamp(m.enqueued_at),
                receive_count: m.receive_count,
                first_receive: m.first_receive.map(Timestamp),
                extras,
                state,
                receipt: m.receipt,
                received_at: Timestamp(m.received_at),
                visibility_changed: m.visibility_changed,
                visible_since: m.visible_since,
            });
            store.place(serial, message);
        }
        // A FIFO group's turn is keyed by its head's stamp: two visible
        // messages with one stamp would make one group lose its turn for good.
        visible_stamps.sort_unstable();
        if let Some(pair) = visible_stamps.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!(
                "two visible messages became visible with one stamp ({})",
                pair[0]
            ));
        }
        if **last_sender == *sender {
            *last_sender = sender;
        }
        Ok(store)
    }
}
