//! Query decoding: any query string, form body and path give a request or a 4xx
//! SQS error, never a panic. The first byte picks the action (or none); the rest
//! is split at the first two NUL bytes into form body, query string and path.
#![no_main]

use fifowin_wire::model::Operation;
use fifowin_wire::query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&b| b == 0);
    let mut body = match Operation::ALL.get(usize::from(pick)) {
        Some(op) => format!("Action={}&", op.name()).into_bytes(),
        None => Vec::new(),
    };
    body.extend_from_slice(parts.next().unwrap_or_default());
    let query_string = parts.next().map(String::from_utf8_lossy);
    let path = parts
        .next()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    if let Err(err) = query::decode(query_string.as_deref(), &body, &path) {
        assert!((400..500).contains(&err.code.status()), "{:?}", err.code);
    }
});
