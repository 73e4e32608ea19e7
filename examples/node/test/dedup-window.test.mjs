// fifowin from a node:test suite: one server for the file (90 s window), reset
// before each test, driven with @aws-sdk/client-sqs v3.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFifowin } from "fifowin";

let fw;
let sqs;

before(async () => {
  fw = await startFifowin({ window: "90s" });
  sqs = new SQSClient({
    endpoint: fw.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 3, // the SDK's standard retries: a lost acknowledgement is retried
  });
});
after(async () => {
  sqs.destroy();
  await fw.stop();
});
beforeEach(() => fw.reset());

async function fifoQueue(name, attributes = {}) {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: "true", ...attributes } }),
  );
  return created.QueueUrl;
}

test("a resend after the window closes is an escape", async () => {
  const queue = await fifoQueue("orders.fifo");
  const send = async () =>
    (
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue,
          MessageBody: "order 1",
          MessageGroupId: "g",
          MessageDeduplicationId: "order-1",
        }),
      )
    ).MessageId;

  const first = await send();
  assert.equal(await send(), first); // inside the window: suppressed, same MessageId
  assert.equal((await fw.dedup("orders.fifo")).entries[0].suppressed, 1);
  await fw.advance(91_000); // past the 90 s window
  assert.notEqual(await send(), first); // accepted as a new message...
  const [escape, ...more] = await fw.escapes(); // ...and listed as an escaped duplicate
  assert.equal(more.length, 0);
  assert.equal(escape.dedup_id, "order-1");
  assert.equal(escape.queue, "orders.fifo");
  assert.equal((await fw.messages("orders.fifo")).visible, 2);
});

test("a lost acknowledgement is retried into one message", async () => {
  const queue = await fifoQueue("payments.fifo", { ContentBasedDeduplication: "true" });
  const rule = await fw.addFault({
    operation: "SendMessage",
    queue: "payments.fifo",
    action: "fail_after_commit",
    count: 1,
  });
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "pay 10", MessageGroupId: "g" }));
  const [fault] = await fw.faults();
  assert.deepEqual([fault.id, fault.fired], [rule, 1]);
  // The first attempt was stored, its answer lost; the SDK's retry met the window.
  assert.equal(sent.$metadata.attempts, 2);
  const held = await fw.messages("payments.fifo");
  assert.equal(held.visible, 1);
  assert.equal(held.messages[0].message_id, sent.MessageId);
  assert.equal(await fw.clearFaults(), 1);
  assert.deepEqual(await fw.faults(), []);
});

test("reset empties the server", async () => {
  await fifoQueue("left-over.fifo");
  await fw.addFault({ operation: "ReceiveMessage", action: "delay", ms: 1 });
  await fw.reset();
  assert.deepEqual((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [], []);
  assert.deepEqual(await fw.faults(), []);
});
