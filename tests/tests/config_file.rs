//! Start-up from a TOML config file, seen through aws-sdk-sqs: the annotated example's
//! queues with their attributes, tags, per-queue dedup window and dead-letter
//! wiring; and the errors only queue creation can find, each naming its key.

use fifowin_e2e::{TestServer, sys_attr};
use fifowin_server::ServerConfig;
use fifowin_server::config::file::ConfigError;

const EXAMPLE: &str = include_str!("../../fifowin.example.toml");

async fn example_server() -> TestServer {
    let manual = ServerConfig {
        clock_mode: fifowin_server::ClockMode::Manual,
        ..ServerConfig::default()
    };
    // The example says clock = "system"; these tests move time themselves.
    let text = EXAMPLE.replace("clock = \"system\"", "clock = \"manual\"");
    TestServer::from_toml(&text, manual)
        .await
        .expect("the example config starts")
}

async fn url_of(server: &TestServer, name: &str) -> String {
    server
        .sqs
        .get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .queue_url
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_creates_its_queues_with_attributes_tags_and_redrive() {
    let server = example_server().await;
    let mut urls = server
        .sqs
        .list_queues()
        .send()
        .await
        .unwrap()
        .queue_urls
        .unwrap_or_default();
    urls.sort();
    let names: Vec<&str> = urls.iter().map(|u| u.rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["events", "orders-dlq.fifo", "orders.fifo"]);

    let orders = url_of(&server, "orders.fifo").await;
    let attrs = server.queue_attributes(&orders).await;
    assert_eq!(attrs["FifoQueue"], "true");
    assert_eq!(attrs["ContentBasedDeduplication"], "true");
    assert_eq!(attrs["DeduplicationScope"], "messageGroup");
    assert_eq!(attrs["VisibilityTimeout"], "30");
    assert_eq!(attrs["MaximumMessageSize"], "262144");
    let policy: serde_json::Value = serde_json::from_str(&attrs["RedrivePolicy"]).unwrap();
    assert_eq!(
        policy["deadLetterTargetArn"],
        "arn:aws:sqs:us-east-1:000000000000:orders-dlq.fifo"
    );
    assert_eq!(policy["maxReceiveCount"], 3);
    let tags = server
        .sqs
        .list_queue_tags()
        .queue_url(&orders)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default();
    assert_eq!(tags.get("team").map(String::as_str), Some("payments"));
    assert_eq!(tags.get("env").map(String::as_str), Some("test"));

    let events = url_of(&server, "events").await;
    assert_eq!(
        server
            .queue_attribute(&events, "VisibilityTimeout")
            .await
            .as_deref(),
        Some("60")
    );
    assert_eq!(server.queue_attribute(&events, "FifoQueue").await, None);
    let sources = server
        .sqs
        .list_dead_letter_source_queues()
        .queue_url(url_of(&server, "orders-dlq.fifo").await)
        .send()
        .await
        .unwrap()
        .queue_urls;
    assert_eq!(sources, vec![orders]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_keeps_its_own_dedup_window_and_others_the_servers() {
    let server = example_server().await;
    let orders = url_of(&server, "orders.fifo").await;
    let dlq = url_of(&server, "orders-dlq.fifo").await;
    let a = server.send_fifo(&orders, "g", Some("x"), "m").await;
    let b = server.send_fifo(&dlq, "g", Some("x"), "m").await;
    // Six minutes on: past the server's 5-minute window, inside orders' 10 minutes.
    server.advance(360_000).await;
    let a2 = server.send_fifo(&orders, "g", Some("x"), "m").await;
    let b2 = server.send_fifo(&dlq, "g", Some("x"), "m").await;
    assert_eq!(
        a2.message_id(),
        a.message_id(),
        "orders.fifo: still a duplicate"
    );
    assert_ne!(b2.message_id(), b.message_id(), "the DLQ: window closed");
    let dedup = server
        .control_get("/_fifowin/queues/orders.fifo/dedup")
        .await;
    assert_eq!(dedup["window_ms"], 600_000);
    assert_eq!(
        server.control_get("/_fifowin/health").await["dedup_window_ms"],
        300_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_wiring_by_name_moves_messages_after_max_receive_count() {
    let server = example_server().await;
    let orders = url_of(&server, "orders.fifo").await;
    let dlq = url_of(&server, "orders-dlq.fifo").await;
    server.send_fifo(&orders, "g", None, "poison").await;
    for _ in 0..3 {
        assert_eq!(server.receive_bodies(&orders, 1).await, ["poison"]);
        server.advance(30_000).await;
    }
    assert!(
        server.receive(&orders, 1).await.is_empty(),
        "moved on the 4th receive"
    );
    let moved = server.receive(&dlq, 1).await;
    assert_eq!(moved.len(), 1);
    assert_eq!(
        sys_attr(&moved[0], "DeadLetterQueueSourceArn").as_deref(),
        Some("arn:aws:sqs:us-east-1:000000000000:orders.fifo")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_may_be_listed_in_any_order_and_point_at_each_other() {
    let toml = r#"
        [[queues]]
        name = "a"
        dead_letter = { queue = "b", max_receive_count = 1 }
        [[queues]]
        name = "b"
        dead_letter = { queue = "a", max_receive_count = 1 }
    "#;
    let server = TestServer::from_toml(toml, ServerConfig::default())
        .await
        .unwrap();
    let a = url_of(&server, "a").await;
    let policy = server.queue_attribute(&a, "RedrivePolicy").await.unwrap();
    assert!(policy.contains(":b\""), "{policy}");
}

/// The error a config file fails start-up with.
async fn startup_error(toml: &str) -> String {
    match TestServer::from_toml(toml, ServerConfig::default()).await {
        Ok(_) => panic!("expected {toml} to fail"),
        Err(err @ ConfigError::Invalid { .. }) => err.to_string(),
        Err(other) => panic!("expected an invalid value, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_found_while_creating_queues_name_their_key_and_sqs_reason() {
    let cases = [
        (
            "[[queues]]\nname = \"q\"\nattributes = { VisibilityTimeout = 50000 }",
            "queues[0].attributes: ",
            "VisibilityTimeout",
        ),
        (
            "[[queues]]\nname = \"q\"\nattributes = { Colour = \"red\" }",
            "queues[0].attributes: ",
            "Colour",
        ),
        (
            "[[queues]]\nname = \"q\"\nattributes = { FifoQueue = \"false\" }",
            "queues[0].attributes: ",
            "FifoQueue",
        ),
        (
            "[[queues]]\nname = \"ok\"\n[[queues]]\nname = \"q\"\ntags = { \"\" = \"empty key\" }",
            "queues[1].tags: ",
            "Tag keys",
        ),
        (
            "[[queues]]\nname = \"std\"\ndead_letter = { queue = \"dlq.fifo\", max_receive_count = 2 }\n[[queues]]\nname = \"dlq.fifo\"",
            "queues[0].dead_letter: ",
            "same type",
        ),
    ];
    for (toml, prefix, reason) in cases {
        let message = startup_error(toml).await;
        assert!(message.starts_with(prefix), "{toml}\n=> {message}");
        assert!(message.contains(reason), "{toml}\n=> {message}");
    }
}
