//! The server image: everything durable mode's command log rebuilds (the clock's
//! reading, every queue of every region with its engine image, recently
//! deleted queues, every SNS topic with its subscriptions and window, message
//! move tasks), captured under the order lock ([`ServerImage::capture`]: each
//! queue frozen, its messages and dedup keys shared rather than copied),
//! encoded off it ([`FrozenImage::encode`], straight from the frozen queues,
//! with no image of their messages built first) and turned back into an
//! [`AppState`] at start-up.
//!
//! Encoding: a varint version, then sections, each a varint tag, a varint
//! length and its bytes. A new kind of state is a new tag: an image without it
//! restores it as empty, and an image with a tag this build does not know is
//! refused (it was written by a newer fifowin, and ignoring a section would
//! drop state). Each queue is a section of its own, a header in postcard
//! followed by the engine's [`QueueImage`] encoding with its own version.

use std::sync::Arc;

use fifowin_engine::{FrozenQueue, Queue, QueueImage, SnapshotError, Timestamp};
use fifowin_sns::snapshot::{RestoreError, TopicImage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::ServerConfig;
use crate::sns::topics::SnsState;
use crate::sqs::ids::MessageIds;
use crate::sqs::move_tasks::tasks::{MoveTasks, TaskImage};
use crate::state::AppState;
use crate::state::clock::{ClockReading, ServerClock};
use crate::state::registry::Inserted;

/// The image version this build writes. Version 2 added the SNS and move-task
/// sections; a version 1 image reads as one without them.
pub(crate) const SERVER_IMAGE_VERSION: u32 = 2;
/// The oldest version this build reads.
const OLDEST_READABLE_VERSION: u32 = 1;

/// Section tags.
const CLOCK: u32 = 1;
const QUEUE: u32 = 2;
const RECENTLY_DELETED: u32 = 3;
const SNS: u32 = 4;
const TOPIC: u32 = 5;
const MOVE_TASKS: u32 = 6;

/// Why a server image cannot be taken or restored.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(
        "server image version {found} is not supported (this build reads versions {OLDEST_READABLE_VERSION} to {supported})"
    )]
    Version { found: u32, supported: u32 },
    #[error("server image section {tag} is unknown (written by a newer fifowin?)")]
    UnknownSection { tag: u32 },
    #[error("server image cannot be decoded: {0}")]
    Decode(String),
    #[error(transparent)]
    Queue(#[from] SnapshotError),
    #[error(transparent)]
    Topic(#[from] RestoreError),
    #[error("server image does not hold together: {0}")]
    Inconsistent(String),
}

/// A queue's place in the registry, beside its engine image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct QueueHeader {
    region: String,
    name: String,
    arn: String,
    /// Creation time, ms: with the name and `ids_region`, what its message ids
    /// are derived from.
    created: u64,
    /// The region its ids were derived with (none for the server's default
    /// region when it was created).
    ids_region: Option<String>,
}

/// One queue of the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueueEntry {
    header: QueueHeader,
    image: QueueImage,
}

/// What the image holds of SNS besides its topics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct SnsHeader {
    /// State-changing SNS requests applied: their message and subscription
    /// ids are derived from it.
    serial: u64,
    /// The config file's per-topic windows in force (set by a logged action).
    window_overrides: Vec<(String, u64)>,
}

/// Everything the command log rebuilds, at one point of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerImage {
    clock: ClockReading,
    queues: Vec<QueueEntry>,
    /// Queues (ARNs) deleted recently and when, ms (`--deleted-queue-cooldown`).
    recently_deleted: Vec<(String, u64)>,
    sns: SnsHeader,
    topics: Vec<TopicImage>,
    /// Oldest first.
    move_tasks: Vec<TaskImage>,
}

/// A server image at one log position whose queues are still frozen
/// ([`Queue::freeze`]): cheap to take under the order lock, made into the
/// image by [`FrozenImage::image`] after the lock is released.
#[derive(Debug)]
pub(crate) struct FrozenImage {
    /// The image but for its queues, left empty here.
    rest: ServerImage,
    queues: Vec<(QueueHeader, FrozenQueue)>,
}

impl FrozenImage {
    /// What the image would encode to ([`ServerImage::encode`]), written from
    /// the frozen queues in place (time in proportion to the messages: call
    /// it off the order lock, on a blocking thread). The queues stop sharing
    /// chunks with the live state when this is dropped.
    pub(crate) fn encode(&self, capacity: usize) -> Vec<u8> {
        self.rest.encode_with(
            capacity,
            self.queues
                .iter()
                .map(|(header, frozen)| (header, |out: &mut Vec<u8>| frozen.encode_into(out))),
        )
    }

    /// The image itself, converting every frozen queue.
    #[cfg(test)]
    pub(crate) fn image(self) -> ServerImage {
        let queues = self
            .queues
            .into_iter()
            .map(|(header, frozen)| QueueEntry {
                header,
                image: QueueImage::from(frozen),
            })
            .collect();
        ServerImage {
            queues,
            ..self.rest
        }
    }

    /// SNS topics, over all regions.
    pub(crate) fn topic_count(&self) -> usize {
        self.rest.topics.len()
    }

    /// Message move tasks, over and not.
    pub(crate) fn move_task_count(&self) -> usize {
        self.rest.move_tasks.len()
    }

    /// Stored messages, over all queues.
    pub(crate) fn message_count(&self) -> usize {
        self.queues.iter().map(|(_, q)| q.message_count()).sum()
    }

    /// The queues.
    pub(crate) fn queue_count(&self) -> usize {
        self.queues.len()
    }
}

impl ServerImage {
    /// The image of `state`, frozen. Call it with the order lock held, so no
    /// logged change is half applied; each queue is locked in turn while it is
    /// frozen. SNS topics and move tasks are copied (their windows are bounded
    /// by the topic count and the window, not by stored messages).
    pub(crate) fn capture(state: &AppState) -> FrozenImage {
        let (sns, topics) = {
            let topics = state.sns.lock();
            let header = SnsHeader {
                serial: topics.serial,
                window_overrides: topics
                    .sns
                    .settings()
                    .window_overrides
                    .iter()
                    .map(|(name, ms)| (name.clone(), *ms))
                    .collect(),
            };
            (header, topics.sns.topic_images())
        };
        let queues = state
            .registry
            .all()
            .into_iter()
            .map(|handle| {
                let queue = handle.lock();
                let header = QueueHeader {
                    region: handle.region.clone(),
                    name: handle.name.clone(),
                    arn: handle.arn.clone(),
                    created: queue.created().as_millis(),
                    ids_region: (handle.region != state.config.region)
                        .then(|| handle.region.clone()),
                };
                (header, queue.freeze())
            })
            .collect();
        let rest = ServerImage {
            clock: state.clock.reading(),
            queues: Vec::new(),
            recently_deleted: state
                .recently_deleted
                .entries()
                .into_iter()
                .map(|(name, at)| (name, at.as_millis()))
                .collect(),
            sns,
            topics,
            move_tasks: state.move_tasks.images(),
        };
        FrozenImage { rest, queues }
    }

    /// The image of `state` ([`Self::capture`], then [`FrozenImage::image`]),
    /// checking that the frozen image encodes, as snapshots write it, to the
    /// bytes the image itself encodes to.
    #[cfg(test)]
    pub(crate) fn capture_checked(state: &AppState) -> ServerImage {
        let frozen = Self::capture(state);
        let bytes = frozen.encode(0);
        let image = frozen.image();
        assert_eq!(
            image.encode(0),
            bytes,
            "a frozen image encodes as its image does"
        );
        image
    }

    /// SNS topics, over all regions.
    #[cfg(test)]
    pub(crate) fn topic_count(&self) -> usize {
        self.topics.len()
    }

    /// Message move tasks, over and not.
    #[cfg(test)]
    pub(crate) fn move_task_count(&self) -> usize {
        self.move_tasks.len()
    }

    /// The version, then one section per part, in a buffer that starts with
    /// room for `capacity` bytes (the caller's guess of the size; a close one
    /// spares regrowing and copying a large image).
    #[cfg(test)]
    pub(crate) fn encode(&self, capacity: usize) -> Vec<u8> {
        self.encode_with(
            capacity,
            self.queues.iter().map(|queue| {
                (&queue.header, |out: &mut Vec<u8>| {
                    queue.image.encode_into(out)
                })
            }),
        )
    }

    /// [`Self::encode`] with `queues` in place of this image's own: each
    /// queue's header, and what appends its engine image.
    fn encode_with<'a, F: FnOnce(&mut Vec<u8>)>(
        &self,
        capacity: usize,
        queues: impl Iterator<Item = (&'a QueueHeader, F)>,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(capacity);
        put(&mut out, &SERVER_IMAGE_VERSION);
        section(&mut out, CLOCK, |out| put(out, &self.clock));
        for (header, engine_image) in queues {
            section(&mut out, QUEUE, |out| {
                put(out, header);
                engine_image(out);
            });
        }
        if !self.recently_deleted.is_empty() {
            section(&mut out, RECENTLY_DELETED, |out| {
                put(out, &self.recently_deleted);
            });
        }
        if self.sns != SnsHeader::default() {
            section(&mut out, SNS, |out| put(out, &self.sns));
        }
        for topic in &self.topics {
            section(&mut out, TOPIC, |out| put(out, topic));
        }
        if !self.move_tasks.is_empty() {
            section(&mut out, MOVE_TASKS, |out| put(out, &self.move_tasks));
        }
        out
    }

    /// Reads what [`Self::encode`] wrote.
    pub(crate) fn decode(bytes: &[u8]) -> Result<ServerImage, ImageError> {
        let (found, mut rest): (u32, _) = take(bytes)?;
        if !(OLDEST_READABLE_VERSION..=SERVER_IMAGE_VERSION).contains(&found) {
            return Err(ImageError::Version {
                found,
                supported: SERVER_IMAGE_VERSION,
            });
        }
        let mut image = ServerImage {
            clock: ClockReading::default(),
            queues: Vec::new(),
            recently_deleted: Vec::new(),
            sns: SnsHeader::default(),
            topics: Vec::new(),
            move_tasks: Vec::new(),
        };
        while !rest.is_empty() {
            let (tag, after): (u32, _) = take(rest)?;
            let (len, after): (u64, _) = take(after)?;
            let len = usize::try_from(len)
                .ok()
                .filter(|len| *len <= after.len())
                .ok_or_else(|| {
                    ImageError::Decode(format!(
                        "section {tag} says {len} bytes, {} are left",
                        after.len()
                    ))
                })?;
            let (body, after) = after.split_at(len);
            rest = after;
            match tag {
                CLOCK => image.clock = whole(body)?,
                QUEUE => {
                    let (header, queue): (QueueHeader, _) = take(body)?;
                    let queue = QueueImage::decode(queue)?;
                    image.queues.push(QueueEntry {
                        header,
                        image: queue,
                    });
                }
                RECENTLY_DELETED => image.recently_deleted = whole(body)?,
                // A version 1 image has none of these: written by a build that
                // did not know them, they would be another build's state.
                SNS | TOPIC | MOVE_TASKS if found < 2 => {
                    return Err(ImageError::UnknownSection { tag });
                }
                SNS => image.sns = whole(body)?,
                TOPIC => image.topics.push(whole(body)?),
                MOVE_TASKS => image.move_tasks = whole(body)?,
                tag => return Err(ImageError::UnknownSection { tag }),
            }
        }
        Ok(image)
    }

    /// Fresh state for `config` holding what the image holds; each queue's
    /// message ids continue from where its source stopped.
    pub(crate) fn restore(
        self,
        config: ServerConfig,
        ids: MessageIds,
    ) -> Result<AppState, ImageError> {
        let sns = SnsState::restored(
            &config,
            self.sns.window_overrides,
            self.topics,
            self.sns.serial,
        )?;
        let move_tasks = MoveTasks::restore(self.move_tasks).map_err(ImageError::Inconsistent)?;
        let state = AppState {
            clock: Arc::new(ServerClock::restored(config.clock_mode, self.clock)),
            sns: Arc::new(sns),
            move_tasks: Arc::new(move_tasks),
            ..AppState::new(config)
        };
        for QueueEntry { header, image } in self.queues {
            if header.name != image.name() || header.arn != image.arn() {
                return Err(ImageError::Inconsistent(format!(
                    "queue {:?} ({}) holds the image of {:?} ({})",
                    header.name,
                    header.arn,
                    image.name(),
                    image.arn()
                )));
            }
            let source = ids.resume(
                &header.name,
                header.ids_region.as_deref(),
                Timestamp(header.created),
                image.ids_drawn(),
            );
            let queue = Queue::restore(image, source)?;
            if queue.created().as_millis() != header.created {
                return Err(ImageError::Inconsistent(format!(
                    "queue {:?} was created at {} ms by its header and at {} ms by its image",
                    header.name,
                    header.created,
                    queue.created().as_millis()
                )));
            }
            if let Inserted::Existing(_) = state.registry.insert(&header.region, queue) {
                return Err(ImageError::Inconsistent(format!(
                    "two queues are called {:?} in {}",
                    header.name, header.region
                )));
            }
        }
        state.recently_deleted.restore(
            self.recently_deleted
                .into_iter()
                .map(|(name, at)| (name, Timestamp(at))),
        );
        Ok(state)
    }
}

/// Appends `value` in postcard.
fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Serializing into a Vec fails only on types serde cannot express, which
    // these have none of.
    *out = postcard::to_extend(value, std::mem::take(out)).expect("an image part serializes");
}

/// Appends a section: its tag, its length, then what `body` appends. The body
/// is written in place and its tag and length are put in front of it after
/// (one move of the section's bytes), so that a queue's image, most of a
/// snapshot, is not encoded into a buffer of its own first and copied.
fn section(out: &mut Vec<u8>, tag: u32, body: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    body(out);
    let len = (out.len() - start) as u64;
    let mut prefix = Vec::new();
    put(&mut prefix, &tag);
    put(&mut prefix, &len);
    out.splice(start..start, prefix);
}

fn take<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, &[u8]), ImageError> {
    postcard::take_from_bytes(bytes).map_err(|e| ImageError::Decode(e.to_string()))
}

/// A section that holds exactly one value.
fn whole<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ImageError> {
    let (value, rest) = take(bytes)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(ImageError::Decode(format!(
            "{} bytes after a section's value",
            rest.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An image of a state with one queue and nothing of SNS or move tasks:
    /// what a version 1 writer wrote, but for the version.
    fn queue_only() -> Vec<u8> {
        let spec = crate::config::file::QueueSpec {
            name: "q".into(),
            region: None,
            attributes: Default::default(),
            tags: Default::default(),
            dedup_window_ms: None,
            dead_letter: None,
        };
        let state = AppState::with_queues(ServerConfig::default(), vec![spec]).unwrap();
        ServerImage::capture_checked(&state).encode(0)
    }

    #[test]
    fn a_version_1_image_reads_without_sns_and_tasks_and_a_newer_one_is_refused() {
        let mut bytes = queue_only();
        assert_eq!(bytes[0], SERVER_IMAGE_VERSION as u8);
        bytes[0] = 1;
        let image = ServerImage::decode(&bytes).unwrap();
        assert_eq!((image.queues.len(), image.topics.len()), (1, 0));
        assert!(image.move_tasks.is_empty());
        bytes[0] = SERVER_IMAGE_VERSION as u8 + 1;
        let err = ServerImage::decode(&bytes).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "server image version {} is not supported (this build reads versions 1 to {SERVER_IMAGE_VERSION})",
                SERVER_IMAGE_VERSION + 1
            )
        );
        // A version 1 image cannot hold an SNS section.
        let mut v1 = bytes.clone();
        v1[0] = 1;
        let end = v1.len();
        section(&mut v1, TOPIC, |out| out.push(0));
        // The tag and the length go in front of the body written in place.
        assert_eq!(v1[end..], [TOPIC as u8, 1, 0]);
        assert!(matches!(
            ServerImage::decode(&v1),
            Err(ImageError::UnknownSection { tag: TOPIC })
        ));
    }
}
