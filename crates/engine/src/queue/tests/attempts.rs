//! ReceiveRequestAttemptId retries (sqs-spec.md §3.5).

use super::*;

fn with_attempt(max: i64, id: &str) -> ReceiveRequest {
    ReceiveRequest {
        attempt_id: Some(id.into()),
        ..receive_req(max)
    }
}

fn not_retryable(id: &str) -> EngineError {
    invalid_parameter(&format!(
        "Value {id} for parameter ReceiveRequestAttemptId is invalid. Reason: The receiveRequestAttemptId is not valid anymore since the receive call is not retryable."
    ))
}

fn two_messages() -> Queue {
    let mut q = fifo(&[]);
    send(&mut q, msg("m1", "g", "1"), at(0));
    send(&mut q, msg("m2", "g", "2"), at(0));
    send(&mut q, msg("m3", "g", "3"), at(0));
    q
}

#[test]
fn retry_returns_the_same_messages_and_handles_and_resets_visibility() {
    let mut q = two_messages();
    let first = q
        .receive(&with_attempt(2, "try-1"), at(0))
        .unwrap()
        .messages;
    assert_eq!(bodies(&first), ["m1", "m2"]);
    let retry = q
        .receive(&with_attempt(2, "try-1"), at(20_000))
        .unwrap()
        .messages;
    assert_eq!(retry, first);
    assert!(
        receive(&mut q, 10, at(30_000)).is_empty(),
        "visibility was reset at the retry"
    );
    assert_eq!(bodies(&receive(&mut q, 10, at(50_000))), ["m1", "m2", "m3"]);
}

#[test]
fn retry_after_delete_or_visibility_change_is_refused() {
    let mut q = two_messages();
    let first = q.receive(&with_attempt(2, "a"), at(0)).unwrap().messages;
    q.delete(&first[1].receipt_handle, at(1)).unwrap();
    assert_eq!(
        q.receive(&with_attempt(2, "a"), at(2)).unwrap_err(),
        not_retryable("a")
    );

    let mut q = two_messages();
    let first = q.receive(&with_attempt(2, "b"), at(0)).unwrap().messages;
    q.change_visibility(&first[0].receipt_handle, 100, at(1))
        .unwrap();
    assert_eq!(
        q.receive(&with_attempt(2, "b"), at(2)).unwrap_err(),
        not_retryable("b")
    );
}

#[test]
fn an_empty_attempt_is_retried_as_a_fresh_receive() {
    let mut q = fifo(&[]);
    assert!(
        q.receive(&with_attempt(1, "x"), at(0))
            .unwrap()
            .messages
            .is_empty()
    );
    send(&mut q, msg("m1", "g", "1"), at(1));
    assert_eq!(
        bodies(&q.receive(&with_attempt(1, "x"), at(2)).unwrap().messages),
        ["m1"]
    );
}

#[test]
fn attempt_ids_expire_with_the_window() {
    let mut q = two_messages();
    let first = q.receive(&with_attempt(1, "x"), at(0)).unwrap().messages;
    q.delete(&first[0].receipt_handle, at(1)).unwrap();
    let later = q
        .receive(&with_attempt(1, "x"), at(WINDOW))
        .unwrap()
        .messages;
    assert_eq!(bodies(&later), ["m2"], "a fresh receive after the window");
    assert_ne!(later[0].receipt_handle, first[0].receipt_handle);
}

#[test]
fn attempt_id_syntax_is_checked_on_fifo_and_ignored_on_standard() {
    let mut q = fifo(&[]);
    assert!(matches!(
        q.receive(&with_attempt(1, "has space"), at(0)),
        Err(EngineError::InvalidParameterValue(t)) if t.contains("ReceiveRequestAttemptId")
    ));
    let mut s = standard(&[]);
    send(&mut s, plain("a"), at(0));
    send(&mut s, plain("b"), at(0));
    assert_eq!(
        bodies(
            &s.receive(&with_attempt(1, "has space"), at(0))
                .unwrap()
                .messages
        ),
        ["a"]
    );
    assert_eq!(
        bodies(
            &s.receive(&with_attempt(1, "has space"), at(0))
                .unwrap()
                .messages
        ),
        ["b"],
        "no replay on standard queues"
    );
}
