//! Topics per region, as queues are: two aws-sdk-sns clients configured for
//! different regions on one server. The region is the request's (its SigV4
//! credential scope), so the same topic name is two topics, the lists show the
//! caller's region only, and a topic ARN of another region is refused.

use aws_sdk_sns::config::Region;

use fifowin_e2e::TestServer;

use super::failure;

const EAST: &str = "us-east-1";
const WEST: &str = "eu-west-1";

/// SNS and SQS clients of the server at `endpoint` configured with `region`.
fn clients(endpoint: &str, region: &'static str) -> (aws_sdk_sns::Client, aws_sdk_sqs::Client) {
    let sns = fifowin_testing::sns_config(endpoint)
        .region(Region::new(region))
        .build();
    let sqs = fifowin_testing::sqs_config(endpoint)
        .region(aws_sdk_sqs::config::Region::new(region))
        .build();
    (
        aws_sdk_sns::Client::from_conf(sns),
        aws_sdk_sqs::Client::from_conf(sqs),
    )
}

async fn create_topic(sns: &aws_sdk_sns::Client, name: &str) -> String {
    sns.create_topic()
        .name(name)
        .send()
        .await
        .expect("create topic")
        .topic_arn
        .expect("topic arn")
}

async fn list_topics(sns: &aws_sdk_sns::Client) -> Vec<String> {
    let out = sns.list_topics().send().await.expect("list topics");
    out.topics()
        .iter()
        .filter_map(|t| t.topic_arn.clone())
        .collect()
}

async fn list_subscriptions(sns: &aws_sdk_sns::Client) -> Vec<String> {
    let out = sns
        .list_subscriptions()
        .send()
        .await
        .expect("list subscriptions");
    out.subscriptions()
        .iter()
        .filter_map(|s| s.subscription_arn.clone())
        .collect()
}

/// Creates queue `name` in the client's region; returns its URL and ARN.
async fn queue(sqs: &aws_sdk_sqs::Client, name: &str) -> (String, String) {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("queue url");
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes
        .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        .expect("queue arn");
    (url, arn)
}

async fn subscribe(sns: &aws_sdk_sns::Client, topic: &str, queue_arn: &str) -> String {
    sns.subscribe()
        .topic_arn(topic)
        .protocol("sqs")
        .endpoint(queue_arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .expect("subscribe")
        .subscription_arn
        .expect("subscription arn")
}

async fn bodies(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    fifowin_e2e::bodies(out.messages())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_topic_name_in_two_regions_is_two_topics_each_seen_from_its_region() {
    let server = TestServer::start().await;
    let (east, east_sqs) = clients(&server.endpoint, EAST);
    let (west, west_sqs) = clients(&server.endpoint, WEST);

    let east_topic = create_topic(&east, "orders").await;
    let west_topic = create_topic(&west, "orders").await;
    assert_eq!(east_topic, "arn:aws:sns:us-east-1:000000000000:orders");
    assert_eq!(west_topic, "arn:aws:sns:eu-west-1:000000000000:orders");
    assert_eq!(list_topics(&east).await, std::slice::from_ref(&east_topic));
    assert_eq!(list_topics(&west).await, std::slice::from_ref(&west_topic));

    let (east_url, east_queue) = queue(&east_sqs, "inbox").await;
    let (west_url, west_queue) = queue(&west_sqs, "inbox").await;
    assert_eq!(west_queue, "arn:aws:sqs:eu-west-1:000000000000:inbox");
    let east_sub = subscribe(&east, &east_topic, &east_queue).await;
    let west_sub = subscribe(&west, &west_topic, &west_queue).await;
    assert!(
        west_sub.starts_with(&format!("{west_topic}:")),
        "{west_sub}"
    );
    assert_eq!(list_subscriptions(&east).await, [east_sub]);
    assert_eq!(list_subscriptions(&west).await, [west_sub]);

    // A publish in one region reaches the queue of that region only.
    west.publish()
        .topic_arn(&west_topic)
        .message("for the west")
        .send()
        .await
        .expect("publish in the west");
    assert_eq!(bodies(&west_sqs, &west_url).await, ["for the west"]);
    assert!(bodies(&east_sqs, &east_url).await.is_empty());

    // The other region's topic exists, but a call from here is refused.
    let refused = (
        "InvalidParameter".to_string(),
        "Invalid parameter: TopicArn".to_string(),
    );
    assert_eq!(
        failure(
            west.get_topic_attributes()
                .topic_arn(&east_topic)
                .send()
                .await
        ),
        refused
    );
    assert_eq!(
        failure(
            west.publish()
                .topic_arn(&east_topic)
                .message("lost")
                .send()
                .await
        ),
        refused
    );
    assert_eq!(
        failure(
            west.subscribe()
                .topic_arn(&east_topic)
                .protocol("sqs")
                .endpoint(&west_queue)
                .send()
                .await
        ),
        refused
    );
    assert_eq!(
        failure(
            west.list_subscriptions_by_topic()
                .topic_arn(&east_topic)
                .send()
                .await
        ),
        refused
    );
    assert_eq!(
        failure(west.delete_topic().topic_arn(&east_topic).send().await),
        refused
    );
    assert_eq!(list_topics(&east).await, [east_topic]);
    assert!(bodies(&east_sqs, &east_url).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_mode_replays_each_regions_topics_in_their_region() {
    let dir = std::env::temp_dir().join(format!("fifowin-e2e-sns-regions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = || fifowin_e2e::start_durable(&dir);
    let server = start().await;
    let (west, west_sqs) = clients(server.endpoint_url(), WEST);
    let west_topic = create_topic(&west, "orders").await;
    let (_, west_queue) = queue(&west_sqs, "inbox").await;
    let west_sub = subscribe(&west, &west_topic, &west_queue).await;
    let (east, _) = clients(server.endpoint_url(), EAST);
    let east_topic = create_topic(&east, "orders").await;
    drop((west, west_sqs, east));
    server.stop().await.expect("stops");

    let server = start().await;
    let (west, west_sqs) = clients(server.endpoint_url(), WEST);
    let (east, _) = clients(server.endpoint_url(), EAST);
    assert_eq!(list_topics(&west).await, std::slice::from_ref(&west_topic));
    assert_eq!(list_topics(&east).await, [east_topic]);
    assert_eq!(list_subscriptions(&west).await, [west_sub]);
    assert!(list_subscriptions(&east).await.is_empty());
    west.publish()
        .topic_arn(&west_topic)
        .message("after the restart")
        .send()
        .await
        .expect("publish in the west");
    let url = west_sqs
        .get_queue_url()
        .queue_name("inbox")
        .send()
        .await
        .expect("the west queue was replayed")
        .queue_url
        .expect("queue url");
    assert_eq!(bodies(&west_sqs, &url).await, ["after the restart"]);
    drop((west, west_sqs, east));
    server.stop().await.expect("stops");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_the_control_api_name_the_region_of_topics_outside_the_servers() {
    let server = TestServer::start().await;
    let (east, _) = clients(&server.endpoint, EAST);
    let (west, _) = clients(&server.endpoint, WEST);
    for sns in [&east, &west] {
        sns.create_topic()
            .name("orders.fifo")
            .attributes("FifoTopic", "true")
            .send()
            .await
            .expect("create FIFO topic");
    }
    west.publish()
        .topic_arn("arn:aws:sns:eu-west-1:000000000000:orders.fifo")
        .message("west")
        .message_group_id("g")
        .message_deduplication_id("d1")
        .send()
        .await
        .expect("publish in the west");

    let metrics = server.metrics().await;
    let published = "fifowin_sns_published_total";
    assert_eq!(
        metrics.get(published, &[("topic", "orders.fifo")]),
        Some(0.0)
    );
    assert_eq!(
        metrics.get(published, &[("topic", "orders.fifo"), ("region", WEST)]),
        Some(1.0)
    );

    let topics = server.control_get("/_fifowin/topics").await;
    let regions: Vec<Option<&str>> = topics["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| t["region"].as_str())
        .collect();
    assert_eq!(regions.len(), 2);
    assert!(
        regions.contains(&None) && regions.contains(&Some(WEST)),
        "{regions:?}"
    );

    let dedup = |query: &'static str| {
        let server = &server;
        async move {
            server
                .control_get(&format!("/_fifowin/topics/orders.fifo/dedup{query}"))
                .await
        }
    };
    let west_dedup = dedup("?region=eu-west-1").await;
    assert_eq!(
        west_dedup["topic_arn"],
        "arn:aws:sns:eu-west-1:000000000000:orders.fifo"
    );
    assert_eq!(west_dedup["count"], 1);
    let east_dedup = dedup("").await;
    assert_eq!(
        east_dedup["topic_arn"],
        "arn:aws:sns:us-east-1:000000000000:orders.fifo"
    );
    assert_eq!(east_dedup["count"], 0);
}
