//! Config-file parsing: the annotated example, and one test per validation error.

use super::*;

const EXAMPLE: &str = include_str!("../../../../../fifowin.example.toml");

fn error(text: &str) -> ConfigError {
    parse(text).expect_err("invalid config")
}

/// The key an `Invalid` error names.
fn key(text: &str) -> String {
    match error(text) {
        ConfigError::Invalid { key, .. } => key,
        other => panic!("expected an invalid value, got {other}"),
    }
}

#[test]
fn the_annotated_example_parses() {
    let file = parse(EXAMPLE).expect("the example is valid");
    assert_eq!(file.port, Some(9324));
    assert_eq!(file.dedup_window_ms, Some(300_000));
    assert_eq!(file.clock, Some(ClockMode::System));
    assert_eq!(file.escape_horizon_ms, Some(3_600_000));
    assert_eq!(file.deleted_queue_cooldown, Some(false));
    assert_eq!(file.log_level.as_deref(), Some("info"));
    let names: Vec<&str> = file.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["orders.fifo", "orders-dlq.fifo", "events"]);
    let prices = &file.topics[0];
    assert_eq!(prices.name, "prices.fifo");
    assert!(prices.fifo);
    assert_eq!(prices.dedup_window_ms, Some(90_000));
    assert_eq!(prices.attributes["FifoTopic"], "true");
    assert_eq!(prices.attributes["ContentBasedDeduplication"], "true");
    assert_eq!(prices.attributes["FifoThroughputScope"], "MessageGroup");
    assert_eq!(
        prices.subscriptions[0],
        SubscriptionSpec {
            queue: "orders.fifo".into(),
            raw: true,
            filter_policy: Some(r#"{"channel": ["retail"]}"#.into()),
            filter_policy_scope: Some("MessageAttributes".into()),
            dead_letter: Some("orders-dlq.fifo".into()),
        }
    );
    assert_eq!(prices.subscriptions[1].queue, "events");
    let orders = &file.queues[0];
    assert_eq!(orders.dedup_window_ms, Some(600_000));
    assert_eq!(orders.attributes["FifoQueue"], "true");
    assert_eq!(orders.attributes["ContentBasedDeduplication"], "true");
    assert_eq!(orders.attributes["VisibilityTimeout"], "30");
    assert_eq!(orders.tags["team"], "payments");
    assert_eq!(
        orders.dead_letter,
        Some(DeadLetterSpec {
            queue: "orders-dlq.fifo".into(),
            max_receive_count: 3
        })
    );
    assert!(!file.queues[2].attributes.contains_key("FifoQueue"));
}

#[test]
fn an_empty_file_sets_nothing() {
    assert_eq!(parse("").unwrap(), FileConfig::default());
}

#[test]
fn syntax_unknown_keys_and_wrong_types_are_toml_errors_naming_the_key() {
    for (text, needle) in [
        ("[server\nport = 1", "line 1"),
        ("[server]\nprot = 9324", "prot"),
        ("[server]\nport = \"x\"", "port"),
        ("[server]\nport = 70000", "port"),
        ("[[queues]]\nname = \"q\"\ncolour = 1", "colour"),
        ("[[queues]]\nattributes = {}", "name"),
        (
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"d\" }",
            "max_receive_count",
        ),
    ] {
        match error(text) {
            ConfigError::Syntax(message) => {
                assert!(message.contains(needle), "{needle:?} not in {message}");
            }
            other => panic!("{text:?}: expected a syntax error, got {other}"),
        }
    }
}

#[test]
fn each_server_value_is_checked() {
    assert_eq!(key("[server]\nhost = \"localhost\""), "server.host");
    assert_eq!(
        key("[server]\ndedup_window = \"5 parsecs\""),
        "server.dedup_window"
    );
    assert_eq!(
        key("[server]\ndedup_window = \"0s\""),
        "server.dedup_window"
    );
    assert_eq!(key("[server]\nclock = \"sundial\""), "server.clock");
    assert_eq!(key("[server]\naccount_id = \"123\""), "server.account_id");
    assert_eq!(key("[server]\nregion = \"\""), "server.region");
    assert_eq!(
        key("[server]\npublic_url = \"localhost:9324\""),
        "server.public_url"
    );
    assert_eq!(
        key("[server]\nescape_horizon = \"soon\""),
        "server.escape_horizon"
    );
    assert_eq!(
        key("[server]\ncors_allow_origins = [\"http://a:1\", \"a:1\"]"),
        "server.cors_allow_origins[1]"
    );
    assert_eq!(
        key("[server]\nallow_hosts = [\"sqs.local:9324\"]"),
        "server.allow_hosts[0]"
    );
    let file = parse(
        "[server]\ncors_allow_origins = [\"HTTP://App:3000/\"]\nallow_hosts = [\"SQS.local\"]",
    )
    .unwrap();
    assert_eq!(
        file.cors_allow_origins,
        Some(vec!["http://app:3000".to_string()])
    );
    assert_eq!(file.allow_hosts, Some(vec!["sqs.local".to_string()]));
}

#[test]
fn each_queue_value_is_checked() {
    let cases = [
        ("[[queues]]\nname = \"bad name\"", "queues[0].name"),
        (
            "[[queues]]\nname = \"q\"\n[[queues]]\nname = \"q\"",
            "queues[1].name",
        ),
        (
            "[[queues]]\nname = \"q\"\nattributes = { FifoQueue = true }",
            "queues[0].name",
        ),
        (
            "[[queues]]\nname = \"q\"\nattributes = { VisibilityTimeout = 1.5 }",
            "queues[0].attributes.VisibilityTimeout",
        ),
        (
            "[[queues]]\nname = \"q\"\ndedup_window = \"1m\"",
            "queues[0].dedup_window",
        ),
        (
            "[[queues]]\nname = \"q.fifo\"\ndedup_window = \"0ms\"",
            "queues[0].dedup_window",
        ),
        (
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"nowhere\", max_receive_count = 3 }",
            "queues[0].dead_letter.queue",
        ),
        (
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"q\", max_receive_count = 0 }",
            "queues[0].dead_letter.max_receive_count",
        ),
        (
            "[[queues]]\nname = \"q\"\ndead_letter = { queue = \"q\", max_receive_count = 3 }\nattributes = { RedrivePolicy = \"{}\" }",
            "queues[0].dead_letter",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(key(text), expected, "{text}");
    }
}

#[test]
fn errors_read_as_key_then_problem() {
    let err = error("[[queues]]\nname = \"q\"\ndedup_window = \"1m\"");
    assert_eq!(
        err.to_string(),
        "queues[0].dedup_window: applies to FIFO queues only (standard queues do not deduplicate)"
    );
}

#[test]
fn the_auth_table_reads_mode_keys_and_control_access() {
    use crate::config::auth::{AuthMode, ControlAccess};
    let file = parse(
        "[auth]\nmode = \"sigv4\"\ncontrol_token = \"t\"\n[[auth.keys]]\naccess_key_id = \"AK\"\nsecret_access_key = \"s\"",
    )
    .unwrap();
    assert_eq!(file.auth.mode, Some(AuthMode::SigV4));
    assert_eq!(file.auth.keys.len(), 1);
    assert_eq!(file.auth.control, Some(ControlAccess::Token("t".into())));
    let off = parse("[auth]\ncontrol = false").unwrap();
    assert_eq!(off.auth.control, Some(ControlAccess::Disabled));
    assert_eq!(parse("").unwrap().auth, FileAuth::default());
    for (text, key) in [
        ("[auth]\nmode = \"basic\"", "auth.mode"),
        ("[auth]\nmode = \"sigv4\"", "auth.mode"),
        (
            "[auth]\ncontrol = false\ncontrol_token = \"t\"",
            "auth.control",
        ),
        ("[auth]\ncontrol_token = \"\"", "auth.control_token"),
        (
            "[[auth.keys]]\naccess_key_id = \"AK\"\nsecret_access_key = \"\"",
            "auth.keys[0]",
        ),
    ] {
        match parse(text) {
            Err(ConfigError::Invalid { key: got, problem }) => {
                assert_eq!(got, key, "{text}");
                assert!(!problem.contains("secret_access_key = "), "{problem}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn a_queue_may_name_its_region_once_per_name() {
    let two = "[[queues]]\nname = \"q\"\n[[queues]]\nname = \"q\"\nregion = \"eu-north-1\"";
    let specs = parse(two).unwrap().queues;
    assert_eq!(specs[0].region, None);
    assert_eq!(specs[1].region.as_deref(), Some("eu-north-1"));
    assert_eq!(
        key("[[queues]]\nname = \"q\"\nregion = \"\""),
        "queues[0].region"
    );
    assert_eq!(
        key("[[queues]]\nname = \"q\"\nregion = \"EU North\""),
        "queues[0].region"
    );
    let twice = format!("{two}\n[[queues]]\nname = \"q\"\nregion = \"eu-north-1\"");
    assert_eq!(key(&twice), "queues[2].name");
}

#[test]
fn topic_errors_name_their_key() {
    let queue = "[[queues]]\nname = \"q.fifo\"\n";
    assert_eq!(
        key("[[topics]]\nname = \"t\"\nfifo = true"),
        "topics[0].name"
    );
    assert_eq!(
        key("[[topics]]\nname = \"t\"\ndedup_window = \"90s\""),
        "topics[0].dedup_window"
    );
    assert_eq!(
        key("[[topics]]\nname = \"t\"\ncontent_based_deduplication = true"),
        "topics[0].content_based_deduplication"
    );
    assert_eq!(
        key(&format!(
            "{queue}[[topics]]\nname = \"t.fifo\"\n[[topics.subscriptions]]\nqueue = \"nope\""
        )),
        "topics[0].subscriptions[0].queue"
    );
    assert_eq!(
        key(&format!(
            "{queue}[[topics]]\nname = \"t.fifo\"\n[[topics.subscriptions]]\nqueue = \"q.fifo\"\ndead_letter = \"dlq\""
        )),
        "topics[0].subscriptions[0].dead_letter"
    );
    assert_eq!(
        key("[[topics]]\nname = \"t.fifo\"\n[[topics]]\nname = \"t.fifo\""),
        "topics[1].name"
    );
}
