//! Retry lags' part of a queue image: the window, the largest lag, when
//! recording began, and what was recorded (the histogram in HdrHistogram's V2
//! encoding, the exact bucket counts and the sum).

use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

use super::{Recorded, RetryLags, bounds_ms};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LagsImage {
    window_ms: u64,
    max_lag_ms: u64,
    since: u64,
    recorded: Option<RecordedImage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct RecordedImage {
    /// V2 encoding, in ns.
    histogram: Vec<u8>,
    counts: Vec<u64>,
    sum_ms: u64,
}

impl RetryLags {
    pub(crate) fn image(&self) -> LagsImage {
        LagsImage {
            window_ms: self.window_ms,
            max_lag_ms: self.max_lag_ms,
            since: self.since.as_millis(),
            recorded: self.recorded.as_ref().map(|r| {
                let mut histogram = Vec::new();
                // Writing into a Vec cannot fail for a histogram of u64 counts.
                let _ = V2Serializer::new().serialize(&r.histogram, &mut histogram);
                RecordedImage {
                    histogram,
                    counts: r.counts.clone(),
                    sum_ms: r.sum_ms,
                }
            }),
        }
    }

    pub(crate) fn restore(image: LagsImage) -> Result<RetryLags, String> {
        let recorded = match image.recorded {
            None => None,
            Some(r) => {
                let bounds_ms = bounds_ms(image.window_ms);
                if r.counts.len() != bounds_ms.len() + 1 {
                    return Err(format!(
                        "{} retry-lag bucket counts for {} buckets",
                        r.counts.len(),
                        bounds_ms.len() + 1
                    ));
                }
                let histogram = Deserializer::new()
                    .deserialize(&mut r.histogram.as_slice())
                    .map_err(|e| format!("retry-lag histogram: {e:?}"))?;
                Some(Box::new(Recorded {
                    histogram,
                    bounds_ms,
                    counts: r.counts,
                    sum_ms: r.sum_ms,
                }))
            }
        };
        Ok(RetryLags {
            window_ms: image.window_ms,
            max_lag_ms: image.max_lag_ms,
            since: Timestamp(image.since),
            recorded,
        })
    }
}
