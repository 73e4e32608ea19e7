//! The ReceiveRequestAttemptId records' part of a queue image: the expiry order
//! with each entry marked current (with the receipts a retry returns) or stale.
//! [`Attempts::freeze`] shares the records' chunks; [`FrozenAttempts::image`]
//! converts them later.

use serde::{Deserialize, Serialize};

use crate::chunk_deque::{ChunkDeque, offset};
use crate::clock::Timestamp;

use super::super::receipt::Receipt;
use super::{Attempt, Attempts};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AttemptsImage {
    /// In expiry order.
    order: Vec<AttemptImage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AttemptImage {
    id: String,
    at: u64,
    /// For the id's current record: (message serial, receive serial) per message.
    receipts: Option<Vec<(u64, u64)>>,
}

/// The attempt records at one instant, sharing the records' chunks.
#[derive(Debug)]
pub(crate) struct FrozenAttempts {
    order: ChunkDeque<Attempt>,
}

impl FrozenAttempts {
    pub(crate) fn image(&self) -> AttemptsImage {
        AttemptsImage {
            order: self
                .order
                .iter()
                .map(|a| AttemptImage {
                    id: a.id.clone(),
                    at: a.at.as_millis(),
                    receipts: a
                        .receipts
                        .as_ref()
                        .map(|r| r.iter().map(|r| (r.serial, r.receive)).collect()),
                })
                .collect(),
        }
    }
}

impl Attempts {
    /// The records as they are now, for [`FrozenAttempts::image`].
    pub(crate) fn freeze(&self) -> FrozenAttempts {
        FrozenAttempts {
            order: self.order.clone(),
        }
    }

    /// The records `image` describes; their receipts must name serials and
    /// receives below the queue's next ones.
    pub(crate) fn restore(
        image: AttemptsImage,
        next_serial: u64,
        next_receive: u64,
    ) -> Result<Attempts, String> {
        let mut attempts = Attempts::default();
        for entry in image.order {
            let receipts = entry.receipts.map(|receipts| {
                receipts
                    .into_iter()
                    .map(|(serial, receive)| Receipt { serial, receive })
                    .collect::<Vec<_>>()
            });
            if receipts
                .iter()
                .flatten()
                .any(|r| r.serial >= next_serial || r.receive >= next_receive)
            {
                return Err(format!(
                    "ReceiveRequestAttemptId {:?} names a message or receive not yet made",
                    entry.id
                ));
            }
            let place = attempts.next;
            attempts.next += 1;
            if receipts.is_some() {
                // A later current record of the id wins, as it would live.
                if let Some(older) = attempts.map.insert(entry.id.clone(), place)
                    && let Some(record) = attempts.order.get_mut(offset(older, 0))
                {
                    record.receipts = None;
                }
            }
            attempts.order.push_back(Attempt {
                at: Timestamp(entry.at),
                id: entry.id,
                receipts,
            });
        }
        Ok(attempts)
    }
}
