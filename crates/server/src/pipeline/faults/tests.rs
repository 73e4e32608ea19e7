//! Rule validation and deterministic triggers.

use super::*;

fn spec(json: serde_json::Value) -> RuleSpec {
    serde_json::from_value(json).expect("rule JSON")
}

fn invalid(json: serde_json::Value) -> SpecError {
    spec(json).validate().expect_err("invalid rule")
}

#[test]
fn validation_names_the_field() {
    use serde_json::json;
    let cases = [
        (json!({"operation": "Send", "action": "fail"}), "operation"),
        (
            json!({"operation": "SendMessage", "action": "fail", "count": 0}),
            "count",
        ),
        (
            json!({"operation": "SendMessage", "action": "fail", "count": 1, "probability": 0.5}),
            "count",
        ),
        (
            json!({"operation": "SendMessage", "action": "fail", "probability": 1.5}),
            "probability",
        ),
        (
            json!({"operation": "SendMessage", "action": "fail", "seed": 3}),
            "seed",
        ),
        (
            json!({"operation": "SendMessage", "action": "fail", "code": "Nope"}),
            "code",
        ),
        (
            json!({"operation": "SendMessage", "action": "fail", "status": 200}),
            "status",
        ),
        (json!({"operation": "SendMessage", "action": "delay"}), "ms"),
        (
            json!({"operation": "SendMessage", "action": "delay", "ms": 10, "code": "InternalError"}),
            "code",
        ),
        (
            json!({"operation": "SendMessage", "action": "fail", "ms": 10}),
            "ms",
        ),
        (
            json!({"operation": "SendMessage", "action": "redeliver"}),
            "operation",
        ),
        (
            json!({"operation": "ReceiveMessage", "action": "fail", "after_ms": 5}),
            "after_ms",
        ),
        (
            json!({"operation": "SendMessage", "queue": "", "action": "fail"}),
            "queue",
        ),
    ];
    for (json, field) in cases {
        assert_eq!(invalid(json.clone()).field, field, "{json}");
    }
}

#[test]
fn codes_resolve_by_name_or_query_code() {
    assert_eq!(
        error_code("RequestThrottled"),
        Some(ErrorCode::RequestThrottled)
    );
    assert_eq!(
        error_code("AWS.SimpleQueueService.NonExistentQueue"),
        Some(ErrorCode::QueueDoesNotExist)
    );
    assert_eq!(
        error_code("InternalFailure"),
        Some(ErrorCode::InternalError)
    );
    assert_eq!(error_code("Whatever"), None);
}

#[test]
fn count_fires_on_the_first_matches_after_skip() {
    let faults = Faults::default();
    faults
        .add(spec(serde_json::json!({
            "operation": "SendMessage", "queue": "q", "action": "fail", "count": 2, "skip": 1
        })))
        .unwrap();
    let fired: Vec<bool> = (0..5)
        .map(|_| {
            faults
                .before("SendMessage", "us-east-1", Some("q"))
                .is_some()
        })
        .collect();
    assert_eq!(fired, [false, true, true, false, false]);
    // Other queues and operations do not match and are not counted.
    assert!(
        faults
            .before("SendMessage", "us-east-1", Some("other"))
            .is_none()
    );
    assert!(
        faults
            .before("DeleteMessage", "us-east-1", Some("q"))
            .is_none()
    );
    let rules = faults.list();
    assert_eq!((rules[0].matched, rules[0].fired), (5, 2));
}

#[test]
fn probability_is_deterministic_per_seed() {
    let run = |seed: u64| {
        let faults = Faults::default();
        faults
            .add(spec(serde_json::json!({
                "operation": "*", "action": "fail", "probability": 0.3, "seed": seed
            })))
            .unwrap();
        (0..200)
            .map(|_| faults.before("ReceiveMessage", "us-east-1", None).is_some())
            .collect::<Vec<bool>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    let hits = run(7).iter().filter(|f| **f).count();
    assert!((30..=90).contains(&hits), "{hits} of 200 at p = 0.3");
}

#[test]
fn post_phase_rules_need_success_and_redeliver_needs_messages() {
    let faults = Faults::default();
    for json in [
        serde_json::json!({"operation": "ReceiveMessage", "action": "redeliver", "count": 1}),
        serde_json::json!({"operation": "ReceiveMessage", "action": "fail_after_commit", "count": 1, "drop": true}),
        serde_json::json!({"operation": "ReceiveMessage", "action": "delay", "ms": 5}),
        serde_json::json!({"operation": "ReceiveMessage", "action": "delay", "ms": 7}),
    ] {
        faults.add(spec(json)).unwrap();
    }
    let failed = faults.after("ReceiveMessage", "us-east-1", None, false, 0);
    assert_eq!(failed.delay_ms, 12);
    assert!(failed.fail.is_none() && failed.redeliver_after_ms.is_none());
    let empty = faults.after("ReceiveMessage", "us-east-1", None, true, 0);
    assert!(empty.fail.is_some_and(|f| f.drop_connection));
    assert_eq!(empty.redeliver_after_ms, None);
    let got = faults.after("ReceiveMessage", "us-east-1", None, true, 2);
    assert_eq!(got.redeliver_after_ms, Some(0));
    assert!(got.fail.is_none(), "count 1 spent");
    assert_eq!(
        faults.list()[0].matched,
        1,
        "receives without messages do not count"
    );
}

#[test]
fn injected_errors_default_by_action_and_honour_code_and_status() {
    let lost = spec(serde_json::json!({"operation": "SendMessage", "action": "fail_after_commit"}));
    let e = lost.injected();
    assert_eq!(
        (e.error.code, e.status.as_u16()),
        (ErrorCode::InternalError, 500)
    );
    let fail = spec(serde_json::json!({"operation": "SendMessage", "action": "fail"}));
    assert_eq!(fail.injected().status.as_u16(), 503);
    let throttled = spec(serde_json::json!({
        "operation": "SendMessage", "action": "fail", "code": "RequestThrottled", "status": 429,
        "message": "slow down"
    }));
    let e = throttled.injected();
    assert_eq!(e.error.code, ErrorCode::RequestThrottled);
    assert_eq!(e.status.as_u16(), 429);
    assert_eq!(e.error.message, "slow down");
}

#[test]
fn rules_can_be_removed_one_by_one_or_all() {
    let faults = Faults::default();
    let a = faults
        .add(spec(
            serde_json::json!({"operation": "*", "action": "fail"}),
        ))
        .unwrap();
    faults
        .add(spec(
            serde_json::json!({"operation": "*", "action": "fail"}),
        ))
        .unwrap();
    assert!(faults.remove(a.id));
    assert!(!faults.remove(a.id));
    assert_eq!(faults.list().len(), 1);
    assert_eq!(faults.clear(), 1);
    assert!(faults.list().is_empty());
}

#[test]
fn sns_operations_match_by_name_and_a_rule_may_name_a_topic() {
    use serde_json::json;
    assert_eq!(
        spec(json!({"operation": "PublishBatch", "action": "fail"})).validate(),
        Ok(Some("PublishBatch"))
    );
    let err = invalid(json!({"operation": "Publish", "action": "redeliver"}));
    assert_eq!(err.field, "operation");
    let err = invalid(json!({"operation": "Publsh", "action": "fail"}));
    assert_eq!(
        err.problem,
        "unknown operation \"Publsh\" (an SQS or SNS operation name, or \"*\")"
    );
    let faults = Faults::default();
    faults
        .add(spec(
            json!({"operation": "Publish", "queue": "orders.fifo", "action": "fail"}),
        ))
        .unwrap();
    assert!(
        faults
            .before("Publish", "us-east-1", Some("orders.fifo"))
            .is_some()
    );
    assert!(
        faults
            .before("Publish", "us-east-1", Some("other.fifo"))
            .is_none()
    );
    assert!(
        faults
            .before("SendMessage", "us-east-1", Some("orders.fifo"))
            .is_none()
    );
}
