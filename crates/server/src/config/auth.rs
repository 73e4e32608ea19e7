//! Who may talk to the server, as configured: whether SQS requests must be
//! SigV4-signed, by which access keys, and who may use the control API. The
//! checks themselves are the transport's (`transport/auth.rs`).
//!
//! Secrets never reach a log line: [`AccessKeys`] prints key ids only.

use std::collections::HashMap;
use std::fmt;

/// How SQS requests are authenticated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// Any request is accepted; credentials are not checked (the default, as for
    /// every local emulator).
    #[default]
    None,
    /// Every SQS request must carry a valid SigV4 signature by one of the keys.
    SigV4,
}

/// Access key id -> secret access key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccessKeys(HashMap<String, String>);

impl AccessKeys {
    /// Adds a key pair.
    pub fn insert(&mut self, access_key_id: impl Into<String>, secret: impl Into<String>) {
        self.0.insert(access_key_id.into(), secret.into());
    }

    /// Parses `AKID:SECRET` (the secret may contain `:`).
    pub fn parse_pair(text: &str) -> Option<(String, String)> {
        let (id, secret) = text.split_once(':')?;
        (!id.is_empty() && !secret.is_empty()).then(|| (id.to_string(), secret.to_string()))
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No keys at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.0.get(access_key_id).map(String::as_str)
    }
}

impl fmt::Debug for AccessKeys {
    // Key ids only: a config dumped into a log must not leak a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.0.keys().collect();
        ids.sort();
        f.debug_struct("AccessKeys")
            .field("ids", &ids)
            .finish_non_exhaustive()
    }
}

/// Who may use the control API (`/_fifowin/*` and `/metrics`).
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ControlAccess {
    /// Anyone who can reach the port (the default; the server binds loopback).
    #[default]
    Open,
    /// Requests must carry `Authorization: Bearer <token>`.
    Token(String),
    /// The routes are not served; those paths reach the SQS handler (an SQS error).
    Disabled,
}

impl fmt::Debug for ControlAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ControlAccess::Open => "Open",
            ControlAccess::Token(_) => "Token(<redacted>)",
            ControlAccess::Disabled => "Disabled",
        })
    }
}

/// The server's authentication settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthConfig {
    pub mode: AuthMode,
    pub keys: AccessKeys,
    pub control: ControlAccess,
}
