//! Every SNS operation fifowin serves, through aws-sdk-sns over the shared port,
//! with AWS's answers and error codes.

use super::Fixture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_on_the_sqs_port_reaches_a_subscribed_fifo_queue() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("orders", &[]).await;
    assert_eq!(topic, "arn:aws:sns:us-east-1:000000000000:orders.fifo");
    let url = fx.server.fifo_queue("orders", &[]).await;
    fx.subscribe(&topic, &url, &[("RawMessageDelivery", "true")])
        .await;
    let (id, seq) = fx.publish(&topic, "g1", Some("d1"), "hello").await;
    assert_eq!(id.len(), 36);
    assert_eq!(seq, "10000000000000000001");
    assert_eq!(fx.server.receive_bodies(&url, 10).await, ["hello"]);
}
