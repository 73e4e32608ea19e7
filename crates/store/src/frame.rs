//! How one record sits in a segment file: a 16-byte header (payload length,
//! CRC-32 of the header's other fields and the payload, sequence number; all
//! little-endian) and the payload; and how a segment's bytes are read back
//! into records, telling the zeros after the last record from a damaged or
//! torn one.
//!
//! The sequence number is in every record so that a segment read back proves
//! its own order, and a record that is in the wrong place (a gap, a file
//! mixed up with another) is found even when every checksum is right.

/// Header bytes before each payload.
pub(crate) const HEADER: usize = 16;

/// Appends `payload` framed as record `seq` to `out`.
pub(crate) fn encode(out: &mut Vec<u8>, seq: u64, payload: &[u8]) {
    // Callers check the length against u32 (`fits`) before numbering it.
    let len = payload.len() as u32;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len.to_le_bytes());
    crc.update(&seq.to_le_bytes());
    crc.update(payload);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
}

/// Whether a payload of this size can be framed.
pub(crate) fn fits(len: usize) -> bool {
    u32::try_from(len).is_ok()
}

/// What starts at an offset of a segment.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    /// A whole record with a matching checksum; the next one starts at `next`.
    Record {
        seq: u64,
        payload: &'a [u8],
        next: usize,
    },
    /// The end of the records: the end of the file, or zeros to it (the
    /// preallocated rest of a segment).
    End,
    /// Not a record and not the end: what is wrong with it.
    Bad(String),
}

/// Reads the frame at `at` of a segment's `bytes`.
pub(crate) fn read(bytes: &[u8], at: usize) -> Frame<'_> {
    let rest = &bytes[at.min(bytes.len())..];
    if rest[..rest.len().min(HEADER)].iter().all(|b| *b == 0) {
        // Checked once per segment, at its end.
        return match rest.iter().position(|b| *b != 0) {
            None => Frame::End,
            Some(i) => Frame::Bad(format!(
                "zeros where a record should start, and data {i} bytes further on"
            )),
        };
    }
    if rest.len() < HEADER {
        return Frame::Bad(format!(
            "a record header cut short ({} of {HEADER} bytes)",
            rest.len()
        ));
    }
    let word = |range: std::ops::Range<usize>| {
        let mut b = [0u8; 8];
        b[..range.len()].copy_from_slice(&rest[range]);
        u64::from_le_bytes(b)
    };
    let len = word(0..4) as usize;
    let crc = word(4..8) as u32;
    let seq = word(8..16);
    if rest.len() - HEADER < len {
        return Frame::Bad(format!(
            "a record of {len} bytes runs past the end of the file ({} bytes left)",
            rest.len() - HEADER
        ));
    }
    let payload = &rest[HEADER..HEADER + len];
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&rest[0..4]);
    hasher.update(&rest[8..16]);
    hasher.update(payload);
    if hasher.finalize() != crc {
        return Frame::Bad("a record whose checksum does not match".into());
    }
    Frame::Record {
        seq,
        payload,
        next: at + HEADER + len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_and_zeros_end_them() {
        let mut bytes = Vec::new();
        encode(&mut bytes, 7, b"hello");
        encode(&mut bytes, 8, b"");
        let end = bytes.len();
        bytes.resize(end + 100, 0);
        assert_eq!(
            read(&bytes, 0),
            Frame::Record {
                seq: 7,
                payload: b"hello",
                next: HEADER + 5
            }
        );
        assert_eq!(
            read(&bytes, HEADER + 5),
            Frame::Record {
                seq: 8,
                payload: b"",
                next: end
            }
        );
        assert_eq!(read(&bytes, end), Frame::End);
        assert_eq!(read(&bytes[..end], end), Frame::End);
    }

    #[test]
    fn a_flipped_bit_or_a_cut_record_is_bad() {
        let mut bytes = Vec::new();
        encode(&mut bytes, 1, b"payload");
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x10;
            assert!(matches!(read(&flipped, 0), Frame::Bad(_)), "byte {i}");
        }
        assert_eq!(
            read(&bytes[..HEADER + 3], 0),
            Frame::Bad("a record of 7 bytes runs past the end of the file (3 bytes left)".into())
        );
        assert_eq!(
            read(&bytes[..5], 0),
            Frame::Bad("a record header cut short (5 of 16 bytes)".into())
        );
    }
}
