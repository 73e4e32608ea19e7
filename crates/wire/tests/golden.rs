//! Golden wire fixtures, one directory per operation under `tests/golden/<Op>/`:
//!
//! - `query.req` / `json.req`: request bodies written by botocore's own Query
//!   (1.34.89) and JSON serializers from the same parameters
//!   (`tools/compat/gen_golden_requests.py`). Both must decode to the same
//!   request, whose debug form is pinned in `request.txt`.
//! - `query.resp` / `json.resp`: the bytes fifowin sends for a sample response;
//!   `query-json.resp`: the same response to a Query request that accepts JSON.
//!
//! `FIFOWIN_BLESS=1 cargo test -p fifowin-wire --test golden` rewrites the pinned
//! files after a deliberate change; review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fifowin_wire::model::*;
use fifowin_wire::{Operation, Response, json, query};

const REQUEST_ID: &str = "5f1c3c1e-0000-4000-8000-000000000001";

fn dir(op: Operation) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(op.name())
}

/// Compares `actual` with the pinned file, or rewrites it when blessing.
fn pinned(path: &Path, actual: &[u8]) {
    if std::env::var_os("FIFOWIN_BLESS").is_some() {
        std::fs::write(path, actual).expect("write fixture");
        return;
    }
    let expected = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with FIFOWIN_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{} differs",
        path.display()
    );
}

#[test]
fn both_protocols_decode_every_operation_to_the_same_request() {
    for &op in Operation::ALL {
        let dir = dir(op);
        let query_body = std::fs::read(dir.join("query.req")).expect("query.req");
        let json_body = std::fs::read(dir.join("json.req")).expect("json.req");
        let from_query = query::decode(None, &query_body, "/")
            .unwrap_or_else(|e| panic!("{}: query decode: {e}", op.name()));
        let from_json = json::decode(&format!("AmazonSQS.{}", op.name()), &json_body)
            .unwrap_or_else(|e| panic!("{}: json decode: {e}", op.name()));
        let query_text = format!("{from_query:#?}\n");
        assert_eq!(query_text, format!("{from_json:#?}\n"), "{}", op.name());
        pinned(&dir.join("request.txt"), query_text.as_bytes());
    }
}

#[test]
fn every_operation_encodes_as_pinned_in_both_protocols() {
    for &op in Operation::ALL {
        let response = sample(op);
        assert_eq!(response.operation(), op);
        let dir = dir(op);
        pinned(
            &dir.join("query.resp"),
            &query::encode(&response, REQUEST_ID),
        );
        let mut json_body = json::encode(&response);
        json_body.push(b'\n');
        pinned(&dir.join("json.resp"), &json_body);
        // The JSON rendering a Query request gets when it sends `Accept: application/json`.
        let mut query_json = query::encode_json(&response, REQUEST_ID);
        query_json.push(b'\n');
        pinned(&dir.join("query-json.resp"), &query_json);
    }
}

fn attribute(
    data_type: &str,
    string: Option<&str>,
    binary: Option<&[u8]>,
) -> MessageAttributeValue {
    MessageAttributeValue {
        string_value: string.map(str::to_string),
        binary_value: binary.map(<[u8]>::to_vec),
        data_type: Some(data_type.to_string()),
        ..Default::default()
    }
}

fn send_output(sequence: Option<&str>) -> SendMessageOutput {
    SendMessageOutput {
        md5_of_message_body: "fafb00f5732ab283681e124bf8747ed1".into(),
        md5_of_message_attributes: Some("3ae8f24a165a8cedc005670c81a27295".into()),
        md5_of_message_system_attributes: None,
        message_id: "5fea7756-0ea4-451a-a703-a558b933e274".into(),
        sequence_number: sequence.map(str::to_string),
    }
}

fn failed(id: &str) -> BatchResultErrorEntry {
    BatchResultErrorEntry {
        id: id.into(),
        sender_fault: true,
        code: "ReceiptHandleIsInvalid".into(),
        message: "The input receipt handle \"<bad>\" is not a valid receipt handle.".into(),
    }
}

/// A response exercising every member the operation can return, with text that
/// needs escaping wherever a client's data is echoed.
fn sample(op: Operation) -> Response {
    let url = "http://localhost:9324/000000000000/orders.fifo";
    let urls = vec![
        url.to_string(),
        "http://localhost:9324/000000000000/b&q".to_string(),
    ];
    let ids = BatchIdsOutput {
        successful: vec![BatchIdEntry { id: "a".into() }],
        failed: vec![failed("b")],
    };
    use Operation as O;
    match op {
        O::CreateQueue => Response::CreateQueue(QueueUrlOutput {
            queue_url: url.into(),
        }),
        O::GetQueueUrl => Response::GetQueueUrl(QueueUrlOutput {
            queue_url: url.into(),
        }),
        O::ListQueues => Response::ListQueues(ListQueuesOutput {
            queue_urls: urls,
            next_token: Some("b3JkZXJz".into()),
        }),
        O::DeleteQueue => Response::DeleteQueue(Empty {}),
        O::GetQueueAttributes => Response::GetQueueAttributes(GetQueueAttributesOutput {
            attributes: BTreeMap::from([
                ("FifoQueue".into(), "true".into()),
                (
                    "Policy".into(),
                    r#"{"Version":"2008-10-17","Statement":[]}"#.into(),
                ),
            ]),
        }),
        O::SetQueueAttributes => Response::SetQueueAttributes(Empty {}),
        O::PurgeQueue => Response::PurgeQueue(Empty {}),
        O::SendMessage => Response::SendMessage(send_output(Some("18849496460467696128"))),
        O::SendMessageBatch => Response::SendMessageBatch(SendMessageBatchOutput {
            successful: vec![SendMessageBatchResultEntry {
                id: "a".into(),
                result: send_output(None),
            }],
            failed: vec![failed("b")],
        }),
        O::ReceiveMessage => Response::ReceiveMessage(ReceiveMessageOutput {
            messages: vec![Message {
                message_id: "5fea7756-0ea4-451a-a703-a558b933e274".into(),
                receipt_handle: "AQEB+abc/==".into(),
                md5_of_body: "fafb00f5732ab283681e124bf8747ed1".into(),
                body: "<order id=\"1\">&\r\n\u{7}</order>".into(),
                attributes: BTreeMap::from([
                    ("ApproximateReceiveCount".into(), "1".into()),
                    ("SentTimestamp".into(), "1700000000000".into()),
                ]),
                md5_of_message_attributes: Some("3ae8f24a165a8cedc005670c81a27295".into()),
                message_attributes: BTreeMap::from([
                    ("bin".into(), attribute("Binary", None, Some(&[0, 1, 255]))),
                    ("num".into(), attribute("Number", Some("1.5"), None)),
                    ("str".into(), attribute("String", Some("a<b"), None)),
                ]),
            }],
        }),
        O::DeleteMessage => Response::DeleteMessage(Empty {}),
        O::DeleteMessageBatch => Response::DeleteMessageBatch(ids),
        O::ChangeMessageVisibility => Response::ChangeMessageVisibility(Empty {}),
        O::ChangeMessageVisibilityBatch => Response::ChangeMessageVisibilityBatch(ids),
        O::TagQueue => Response::TagQueue(Empty {}),
        O::UntagQueue => Response::UntagQueue(Empty {}),
        O::ListQueueTags => Response::ListQueueTags(ListQueueTagsOutput {
            tags: BTreeMap::from([
                ("team".into(), "a&b".into()),
                ("empty".into(), String::new()),
            ]),
        }),
        O::ListDeadLetterSourceQueues => {
            Response::ListDeadLetterSourceQueues(ListDeadLetterSourceQueuesOutput {
                queue_urls: urls,
                next_token: None,
            })
        }
        O::AddPermission => Response::AddPermission(Empty {}),
        O::RemovePermission => Response::RemovePermission(Empty {}),
        O::StartMessageMoveTask => Response::StartMessageMoveTask(StartMessageMoveTaskOutput {
            task_handle: "eyJ0YXNrSWQiOiJ0In0=".into(),
        }),
        O::CancelMessageMoveTask => Response::CancelMessageMoveTask(CancelMessageMoveTaskOutput {
            approximate_number_of_messages_moved: 3,
        }),
        O::ListMessageMoveTasks => Response::ListMessageMoveTasks(ListMessageMoveTasksOutput {
            results: vec![
                ListMessageMoveTasksResultEntry {
                    task_handle: Some("eyJ0YXNrSWQiOiJ0In0=".into()),
                    status: "RUNNING".into(),
                    source_arn: "arn:aws:sqs:us-east-1:000000000000:dlq".into(),
                    destination_arn: Some("arn:aws:sqs:us-east-1:000000000000:src".into()),
                    max_number_of_messages_per_second: Some(50),
                    approximate_number_of_messages_moved: 1,
                    approximate_number_of_messages_to_move: 4,
                    failure_reason: None,
                    started_timestamp: 1700000000000,
                },
                ListMessageMoveTasksResultEntry {
                    status: "FAILED".into(),
                    source_arn: "arn:aws:sqs:us-east-1:000000000000:dlq".into(),
                    failure_reason: Some("AWS.SimpleQueueService.NonExistentQueue".into()),
                    started_timestamp: 1699999990000,
                    ..Default::default()
                },
            ],
        }),
    }
}
