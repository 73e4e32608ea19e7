//! The ReceiveRequestAttemptId records' part of a queue image: the expiry order
//! with each entry marked current (with the receipts a retry returns) or stale.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

use super::super::receipt::Receipt;
use super::{Attempt, Attempts};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

impl Attempts {
    pub(crate) fn image(&self) -> AttemptsImage {
        AttemptsImage {
            order: self
                .order
                .iter()
                .map(|(at, id)| AttemptImage {
                    id: id.clone(),
                    at: at.as_millis(),
                    receipts: self
                        .map
                        .get(id)
                        .filter(|a| a.at == *at)
                        .map(|a| a.receipts.iter().map(|r| (r.serial, r.receive)).collect()),
                })
                .collect(),
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
            let at = Timestamp(entry.at);
            if let Some(receipts) = entry.receipts {
                if receipts
                    .iter()
                    .any(|&(serial, receive)| serial >= next_serial || receive >= next_receive)
                {
                    return Err(format!(
                        "ReceiveRequestAttemptId {:?} names a message or receive not yet made",
                        entry.id
                    ));
                }
                let receipts = receipts
                    .into_iter()
                    .map(|(serial, receive)| Receipt { serial, receive })
                    .collect();
                attempts
                    .map
                    .insert(entry.id.clone(), Attempt { at, receipts });
            }
            attempts.order.push_back((at, entry.id));
        }
        Ok(attempts)
    }
}
