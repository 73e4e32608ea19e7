//! Pure Amazon SNS semantics for fifowin.
pub mod arn;
pub mod envelope;
pub mod error;
pub mod filter;
pub mod window;
