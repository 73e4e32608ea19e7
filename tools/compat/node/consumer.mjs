// sqs-producer and sqs-consumer driving a real consume loop against fifowin: the
// producer sends FIFO batches (with a duplicate inside the window), the consumer
// long-polls, handles and deletes until every message is done.
// Usage: node consumer.mjs <endpoint>
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, DeleteQueueCommand } from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import { Producer } from "sqs-producer";
import { check, finish, sleep } from "./common.mjs";

const endpoint = process.argv[2];
const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
const suffix = Math.random().toString(16).slice(2, 10);
const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `consume-${suffix}.fifo`, Attributes: { FifoQueue: "true" } }))).QueueUrl;

const producer = Producer.create({ queueUrl, sqs });
const messages = Array.from({ length: 12 }, (_, i) => ({
  id: `m${i}`,
  body: `order ${i}`,
  groupId: `g${i % 3}`,
  deduplicationId: `d${i}`,
  messageAttributes: { n: { DataType: "Number", StringValue: String(i) } },
}));
const sent = await producer.send(messages);
check("producer: 12 messages sent in batches", sent.length === 12, sent.length);
const resent = await producer.send([{ id: "dup", body: "order 0 again", groupId: "g0", deduplicationId: "d0" }]);
check("producer: a duplicate inside the window is accepted (200) with the original id", resent[0].MessageId === sent[0].MessageId);

const handled = [];
const consumer = Consumer.create({
  queueUrl,
  sqs,
  batchSize: 10,
  waitTimeSeconds: 1,
  messageAttributeNames: ["All"],
  handleMessage: async (message) => {
    handled.push(message.Body);
    return message;
  },
});
const errors = [];
consumer.on("error", (err) => errors.push(err.message));
consumer.on("processing_error", (err) => errors.push(err.message));
consumer.start();
for (let i = 0; i < 100 && handled.length < 12; i++) await sleep(100);
consumer.stop({ abort: false });
await sleep(300);
check("consumer: handled every message once", handled.length === 12 && new Set(handled).size === 12, handled);
check("consumer: FIFO order within each group", ["g0", "g1", "g2"].every((g, k) => {
  const mine = handled.filter((b) => Number(b.split(" ")[1]) % 3 === k).map((b) => Number(b.split(" ")[1]));
  return mine.every((v, j) => j === 0 || v > mine[j - 1]);
}), handled);
check("consumer: no errors", errors.length === 0, errors);
const left = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes;
check("consumer: deleted what it handled", left.ApproximateNumberOfMessages === "0" && left.ApproximateNumberOfMessagesNotVisible === "0", left);
await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
finish();
