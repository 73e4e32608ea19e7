//! The escape rule: whether a send some lag after its anchor is accepted as
//! new (escapes the window) or suppressed as a duplicate.

/// Which rule decides whether a lag escapes the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Boundary {
    /// A lag >= window escapes: a send at t is a duplicate iff t < first_accepted + window
    /// (the fifowin server's rule, and LocalStack's).
    #[default]
    Ge,
    /// A lag > window escapes: a send exactly at first_accepted + window is still a duplicate.
    Gt,
}

impl Boundary {
    /// Whether a send `lag_ns` after the anchor is accepted as new, i.e. escapes.
    pub fn escapes(self, lag_ns: u64, window_ns: u64) -> bool {
        match self {
            Boundary::Ge => lag_ns >= window_ns,
            Boundary::Gt => lag_ns > window_ns,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Boundary::Ge => "lag >= window escapes",
            Boundary::Gt => "lag > window escapes",
        }
    }
}
