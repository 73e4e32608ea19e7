//! Unit tests of Query decoding.
