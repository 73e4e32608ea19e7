//! AWS JSON 1.0 decoding: any operation name and body give a request or a 4xx
//! SQS error, never a panic. The first byte picks the operation.
#![no_main]

use fifowin_wire::json;
use fifowin_wire::model::Operation;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let op = Operation::ALL[usize::from(pick) % Operation::ALL.len()];
    if let Err(err) = json::decode(&format!("AmazonSQS.{}", op.name()), body) {
        assert!((400..500).contains(&err.code.status()), "{:?}", err.code);
    }
});
