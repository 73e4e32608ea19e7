//! Hardening end to end: limits (header size, slow clients, queue count, memory
//! cap), hostile input (malformed requests of every kind get an SQS error, never
//! a 5xx or a hang), SigV4 authentication and control-API access. Every test
//! starts its own server on 127.0.0.1:0 and talks to it over a real socket.

mod auth;
mod durable;
mod in_flight;
mod limits;
mod malformed;
mod socket;
