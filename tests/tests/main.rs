//! fifowin end to end: every test starts its own server on 127.0.0.1:0 (manual clock
//! unless it says otherwise) and talks to it over a real socket with aws-sdk-sqs, or
//! with raw HTTP where the SDK cannot express the case.

mod batches;
mod browser;
mod checksums;
mod config_file;
mod control;
mod dlq;
mod errors;
mod faults;
mod fifo_dedup;
mod fifo_groups;
mod fifo_send;
mod inspect;
mod long_poll;
mod metrics;
mod move_tasks;
mod query_json;
mod query_protocol;
mod queue_attributes;
mod queues;
mod regions;
mod send_receive;
mod smoke;
mod sns;
mod tags;
mod visibility;
