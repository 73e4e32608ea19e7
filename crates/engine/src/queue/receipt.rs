//! Receipt handles: opaque to clients, self-describing to the engine.
//!
//! A handle encodes the queue incarnation, the message serial and the receive
//! serial, plus a check word, so the engine can tell garbage (never issued
//! here) from a handle of a deleted message, the current handle, and a stale
//! one from an earlier receive, without remembering every handle it issued.

/// What a handle refers to, as far as the handle alone can tell.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Receipt {
    pub(crate) serial: u64,
    pub(crate) receive: u64,
}

const PREFIX: &str = "AQEB";
const LEN: usize = PREFIX.len() + 4 * 16;

/// splitmix64's finaliser: cheap, and every input bit affects every output bit.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn check_word(incarnation: u64, serial: u64, receive: u64) -> u64 {
    mix(incarnation ^ mix(serial ^ mix(receive.wrapping_add(0x9e37_79b9_7f4a_7c15))))
}

/// The handle for `receipt` in the queue incarnation `incarnation`.
pub(crate) fn encode(incarnation: u64, receipt: Receipt) -> String {
    let check = check_word(incarnation, receipt.serial, receipt.receive);
    format!(
        "{PREFIX}{incarnation:016x}{:016x}{:016x}{check:016x}",
        receipt.serial, receipt.receive
    )
}

/// Parses a handle issued by the incarnation `incarnation`; `None` for anything else.
pub(crate) fn decode(incarnation: u64, handle: &str) -> Option<Receipt> {
    if handle.len() != LEN || !handle.starts_with(PREFIX) {
        return None;
    }
    let hex = &handle[PREFIX.len()..];
    // from_str_radix accepts a leading '+', and uppercase digits we never emit.
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let word = |i: usize| u64::from_str_radix(&hex[i * 16..(i + 1) * 16], 16).ok();
    let (inc, serial, receive, check) = (word(0)?, word(1)?, word(2)?, word(3)?);
    (inc == incarnation && check == check_word(inc, serial, receive))
        .then_some(Receipt { serial, receive })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_tampering() {
        let r = Receipt {
            serial: 42,
            receive: 7,
        };
        let h = encode(99, r);
        assert!(h.len() <= 1024);
        assert_eq!(decode(99, &h), Some(r));
        assert_eq!(decode(98, &h), None, "another queue incarnation");
        let mut tampered = h.clone().into_bytes();
        let i = PREFIX.len() + 16 + 15;
        tampered[i] = if tampered[i] == b'0' { b'1' } else { b'0' };
        assert_eq!(decode(99, std::str::from_utf8(&tampered).unwrap()), None);
        assert_eq!(decode(99, "garbage"), None);
        assert_eq!(decode(99, &h.to_uppercase()), None);
        assert_eq!(decode(99, ""), None);
    }
}
