//! Validation of names, ids, bodies and message attributes (sqs-spec.md §3.2, §4.3).
