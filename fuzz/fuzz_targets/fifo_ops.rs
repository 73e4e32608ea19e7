//! FIFO operation sequences against the delivery-order reference model (the same
//! model the engine's proptest runs: crates/engine/tests/support/fifo_lifecycle.rs).
#![no_main]

#[path = "../../crates/engine/tests/support/fifo_lifecycle.rs"]
mod fifo_lifecycle;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fifo_lifecycle::run(data));
