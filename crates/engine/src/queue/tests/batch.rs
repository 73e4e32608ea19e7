//! The three batch operations: whole-request errors and per-entry results.

use super::*;
use crate::queue::{BatchEntry, BatchResult};

fn entries<T: Clone>(items: &[(&str, T)]) -> Vec<BatchEntry<T>> {
    items
        .iter()
        .map(|(id, item)| BatchEntry {
            id: (*id).to_string(),
            item: item.clone(),
        })
        .collect()
}

fn errors<T>(results: &[BatchResult<T>]) -> Vec<(&str, Option<&EngineError>)> {
    results
        .iter()
        .map(|r| (r.id.as_str(), r.result.as_ref().err()))
        .collect()
}

#[test]
fn whole_request_errors_for_every_batch_kind() {
    let mut q = standard(&[]);
    let now = at(0);
    assert_eq!(
        q.send_batch(Vec::new(), now).unwrap_err(),
        EngineError::EmptyBatchRequest("SendMessageBatchRequestEntry".into())
    );
    assert_eq!(
        q.delete_batch(Vec::new(), now).unwrap_err(),
        EngineError::EmptyBatchRequest("DeleteMessageBatchRequestEntry".into())
    );
    assert_eq!(
        q.change_visibility_batch(Vec::new(), now).unwrap_err(),
        EngineError::EmptyBatchRequest("ChangeMessageVisibilityBatchRequestEntry".into())
    );
    let ids: Vec<String> = (0..11).map(|i| format!("e{i}")).collect();
    let eleven: Vec<_> = ids.iter().map(|id| (id.as_str(), plain("x"))).collect();
    assert_eq!(
        q.send_batch(entries(&eleven), now).unwrap_err(),
        EngineError::TooManyEntriesInBatchRequest(11)
    );
    assert_eq!(
        q.delete_batch(entries(&[("a.b", String::new())]), now)
            .unwrap_err(),
        EngineError::InvalidBatchEntryId
    );
    assert_eq!(
        q.change_visibility_batch(
            entries(&[("a", (String::new(), 1)), ("a", (String::new(), 1))]),
            now
        )
        .unwrap_err(),
        EngineError::BatchEntryIdsNotDistinct("a".into())
    );
    assert_eq!(q.counts(now).visible, 0);
}

#[test]
fn batch_total_is_limited_to_one_mebibyte_regardless_of_queue_maximum() {
    let mut q = standard(&[]);
    let half = "x".repeat(524_288);
    let ok = q.send_batch(entries(&[("a", plain(&half)), ("b", plain(&half))]), at(0));
    assert!(ok.is_ok());
    let too_long = q.send_batch(
        entries(&[("a", plain(&half)), ("b", plain(&format!("{half}y")))]),
        at(0),
    );
    assert_eq!(
        too_long.unwrap_err(),
        EngineError::BatchRequestTooLong(1_048_577)
    );
    assert_eq!(
        EngineError::BatchRequestTooLong(1_048_577).to_string(),
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."
    );
}

#[test]
fn fifo_missing_group_or_dedup_fails_the_whole_batch() {
    let mut q = fifo(&[]);
    let mut no_group = msg("b", "g", "d2");
    no_group.group_id = None;
    assert_eq!(
        q.send_batch(
            entries(&[("a", msg("a", "g", "d1")), ("b", no_group)]),
            at(0)
        )
        .unwrap_err(),
        invalid_parameter("The request must contain the parameter MessageGroupId.")
    );
    let mut no_dedup = msg("b", "g", "d2");
    no_dedup.dedup_id = None;
    assert_eq!(
        q.send_batch(
            entries(&[("a", msg("a", "g", "d1")), ("b", no_dedup)]),
            at(0)
        )
        .unwrap_err(),
        invalid_parameter(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
        )
    );
    assert_eq!(
        q.counts(at(0)).visible,
        0,
        "nothing of a refused batch is stored"
    );
}

#[test]
fn per_entry_failures_and_in_batch_dedup() {
    let mut q = fifo(&[("MaximumMessageSize", "1024")]);
    let results = q
        .send_batch(
            entries(&[
                ("first", msg("one", "g", "d")),
                ("big", msg(&"x".repeat(1025), "g", "big")),
                ("bell", msg("\u{7}", "g", "bell")),
                ("again", msg("one-again", "g", "d")),
                ("other", msg("two", "g", "e")),
            ]),
            at(0),
        )
        .unwrap();
    assert_eq!(
        errors(&results),
        vec![
            ("first", None),
            (
                "big",
                Some(&invalid_parameter(
                    "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes."
                ))
            ),
            ("bell", results[2].result.as_ref().err()),
            ("again", None),
            ("other", None),
        ]
    );
    assert!(matches!(
        results[2].result,
        Err(EngineError::InvalidMessageContents(_))
    ));
    let first = results[0].result.as_ref().unwrap();
    let again = results[3].result.as_ref().unwrap();
    assert!(again.duplicate);
    assert_eq!(again.message_id, first.message_id);
    assert_eq!(bodies(&receive(&mut q, 10, at(1))), ["one", "two"]);
}

#[test]
fn delete_and_change_visibility_batches_report_per_entry() {
    let mut q = standard(&[]);
    send(&mut q, plain("a"), at(0));
    send(&mut q, plain("b"), at(0));
    let got = receive(&mut q, 10, at(0));
    let changed = q
        .change_visibility_batch(
            entries(&[
                ("ok", (got[0].receipt_handle.clone(), 0)),
                ("bad", ("garbage".to_string(), 0)),
            ]),
            at(1),
        )
        .unwrap();
    assert!(changed[0].result.is_ok());
    assert_eq!(
        changed[1].result,
        Err(EngineError::ReceiptHandleIsInvalid("garbage".into()))
    );
    let deleted = q
        .delete_batch(
            entries(&[
                ("a", got[0].receipt_handle.clone()),
                ("b", got[1].receipt_handle.clone()),
                ("c", "garbage".to_string()),
            ]),
            at(2),
        )
        .unwrap();
    assert_eq!(
        errors(&deleted),
        vec![
            ("a", None),
            ("b", None),
            (
                "c",
                Some(&EngineError::ReceiptHandleIsInvalid("garbage".into()))
            )
        ]
    );
    assert_eq!(q.counts(at(2)), Default::default());
}
