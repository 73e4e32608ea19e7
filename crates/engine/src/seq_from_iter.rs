//! A sequence serialized straight from the values it is made of, without first
//! collecting them into a vector: how a frozen queue encodes its messages and
//! dedup keys in the form their images would have, without building the images.

use serde::ser::{Error as _, Serialize, SerializeSeq, Serializer};

/// `len` values from `values()`, serialized as a sequence (postcard writes the
/// length first, so it must be known before the first value).
pub(crate) struct SeqFromIter<F> {
    len: usize,
    values: F,
}

impl<F> SeqFromIter<F> {
    pub(crate) fn new(len: usize, values: F) -> Self {
        Self { len, values }
    }
}

impl<F, I> Serialize for SeqFromIter<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len))?;
        let mut count = 0;
        for value in (self.values)() {
            // More values than announced would be read back as the next field.
            if count == self.len {
                return Err(S::Error::custom(format!(
                    "a sequence announced {} values and had more",
                    self.len
                )));
            }
            seq.serialize_element(&value)?;
            count += 1;
        }
        if count != self.len {
            return Err(S::Error::custom(format!(
                "a sequence announced {} values and had {count}",
                self.len
            )));
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_the_collected_vector_does() {
        let values = [3u64, 300, 70_000];
        let seq = SeqFromIter::new(values.len(), || values.iter().map(|v| v * 2));
        let collected: Vec<u64> = values.iter().map(|v| v * 2).collect();
        assert_eq!(
            postcard::to_allocvec(&seq).expect("serializes"),
            postcard::to_allocvec(&collected).expect("serializes")
        );
    }

    #[test]
    fn a_length_that_does_not_match_the_values_is_an_error() {
        let values = [1u8, 2, 3];
        for len in [2, 4] {
            let seq = SeqFromIter::new(len, || values.iter());
            assert!(postcard::to_allocvec(&seq).is_err(), "announced {len}");
        }
    }
}
