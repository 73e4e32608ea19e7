//! Engine operation sequences against the message-lifecycle reference model
//! (the same model the engine's proptest runs: crates/engine/tests/support).
#![no_main]

#[path = "../../crates/engine/tests/support/lifecycle.rs"]
mod lifecycle;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lifecycle::run(data));
