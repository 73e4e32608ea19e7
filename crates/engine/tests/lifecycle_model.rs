//! The message-lifecycle model check (see `support/lifecycle.rs`) on random
//! operation sequences: bounded here; `fuzz/` runs it coverage-guided.

#[path = "support/lifecycle.rs"]
mod lifecycle;

use proptest::prelude::*;

proptest! {
    // 256 sequences in CI; PROPTEST_CASES=100000 for a longer run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn standard_queue_lifecycle_matches_the_model(data in prop::collection::vec(any::<u8>(), 0..900)) {
        lifecycle::run(&data);
    }
}
