"""fifowin from a pytest suite: the `fifowin` fixture (the plugin's; the server has a
90 s window, from pytest.ini) and boto3. Each test starts on an empty server."""

import boto3
import pytest
from botocore.config import Config


@pytest.fixture
def sqs(fifowin):
    # Standard retries, as an application would have: a lost acknowledgement is retried.
    return boto3.client(
        "sqs",
        endpoint_url=fifowin.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )


def fifo_queue(sqs, name, **attributes):
    attributes = {"FifoQueue": "true", **attributes}
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def test_a_resend_after_the_window_closes_is_an_escape(fifowin, sqs):
    queue = fifo_queue(sqs, "orders.fifo")

    def send():
        return sqs.send_message(QueueUrl=queue, MessageBody="order 1", MessageGroupId="g",
                                MessageDeduplicationId="order-1")["MessageId"]

    first = send()
    assert send() == first  # inside the window: suppressed, same MessageId
    assert fifowin.dedup("orders.fifo")["entries"][0]["suppressed"] == 1
    fifowin.advance(91_000)  # past the 90 s window
    assert send() != first  # accepted as a new message...
    [escape] = fifowin.escapes()  # ...and listed as an escaped duplicate
    assert escape["dedup_id"] == "order-1"
    assert escape["queue"] == "orders.fifo"
    assert fifowin.messages("orders.fifo")["visible"] == 2


def test_a_lost_acknowledgement_is_retried_into_one_message(fifowin, sqs):
    queue = fifo_queue(sqs, "payments.fifo", ContentBasedDeduplication="true")
    rule = fifowin.add_fault({"operation": "SendMessage", "queue": "payments.fifo",
                              "action": "fail_after_commit", "count": 1})
    sent = sqs.send_message(QueueUrl=queue, MessageBody="pay 10", MessageGroupId="g")
    [fault] = fifowin.faults()
    assert (fault["id"], fault["fired"]) == (rule, 1)
    # The first attempt was stored, its answer lost; the SDK's retry met the window.
    assert sent["ResponseMetadata"]["RetryAttempts"] == 1
    held = fifowin.messages("payments.fifo")
    assert held["visible"] == 1
    assert held["messages"][0]["message_id"] == sent["MessageId"]
    assert fifowin.clear_faults() == 1
    assert fifowin.faults() == []


def test_reset_empties_the_server(fifowin, sqs):
    fifo_queue(sqs, "left-over.fifo")
    fifowin.add_fault({"operation": "ReceiveMessage", "action": "delay", "ms": 1})
    fifowin.reset()
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert fifowin.faults() == []


def test_each_test_starts_on_an_empty_server(fifowin, sqs):
    # The tests above left queues behind; the fixture reset them away.
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert fifowin.escapes() == []
