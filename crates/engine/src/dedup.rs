//! The deduplication window: live keys with insertion-ordered expiry, and escape tombstones.
