//! Pure Amazon SNS semantics for fifowin: topics (standard and FIFO), `sqs`
//! subscriptions, the FIFO topic's deduplication window, filter policies, and
//! publishes answered with a delivery plan the server applies through the queue
//! engine; plus the SNS Query/XML codec. No I/O and no clock: every
//! time-dependent call takes `now: Timestamp` (sns-spec.md is the reference).
//!
//! # Layout
//! - [`error`]: SNS error codes (Query code, HTTP status) and messages.
//! - [`arn`]: topic, subscription and queue ARNs; the caller's [`arn::Scope`].
//! - [`settings`]: windows, escape bookkeeping, the public URL.
//! - [`topic`]: names, topic attributes, tags.
//! - [`subscription`]: subscription attributes and counters.
//! - [`filter`]: filter policies: parsing, limits, evaluation.
//! - [`message`]: a publish's fields and their checks.
//! - [`window`]: the FIFO topic window (the engine's dedup table) and sequence numbers.
//! - [`envelope`]: the JSON envelope SQS subscribers receive.
//! - [`publish`]: Publish/PublishBatch rules and the delivery plan.
//! - [`registry`]: [`Sns`], every operation.
//! - [`service`]: one decoded request applied to [`Sns`].
//! - [`snapshot`]: every topic as serde data, and [`Sns`] rebuilt from it.
//! - [`codec`]: Query form parameters -> [`codec::Request`]; responses and errors -> XML.

pub mod arn;
pub mod codec;
pub mod envelope;
pub mod error;
pub mod filter;
pub mod message;
pub mod publish;
pub mod registry;
pub mod service;
pub mod settings;
pub mod snapshot;
pub mod subscription;
pub mod topic;
pub mod window;

pub use arn::Scope;
pub use error::{ErrorCode, SnsError};
pub use publish::{BatchEntry, BatchPublished, Delivery, DeliveryRefusal, Published};
pub use registry::{CreateTopic, Page, Sns, Subscribe, SubscriptionSummary, TopicEscape};
pub use service::{Handled, handle};
pub use settings::SnsSettings;
