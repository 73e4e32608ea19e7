//! Queue attributes: names, ranges, defaults, parsing and rendering (sqs-spec.md §3.1, §4.1).
