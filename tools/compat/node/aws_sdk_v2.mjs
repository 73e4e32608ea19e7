// aws-sdk v2 (the `aws-sdk` package) against fifowin; it checks body MD5s of
// sends and receives itself. Usage: node aws_sdk_v2.mjs <endpoint>
import AWS from "aws-sdk";
import { check, md5, md5OfAttributes, finish } from "./common.mjs";

const endpoint = process.argv[2];
const sqs = new AWS.SQS({ endpoint, region: "us-east-1", credentials: new AWS.Credentials("x", "x") });
console.log(`aws-sdk ${AWS.VERSION} speaking ${sqs.api.protocol}, computeChecksums ${sqs.config.computeChecksums}`);
check("MD5 validation is on", sqs.config.computeChecksums !== false);
const suffix = Math.random().toString(16).slice(2, 10);

const fifo = (await sqs.createQueue({ QueueName: `v2-${suffix}.fifo`, Attributes: { FifoQueue: "true" } }).promise()).QueueUrl;
const std = (await sqs.createQueue({ QueueName: `v2-${suffix}` }).promise()).QueueUrl;
const dlq = (await sqs.createQueue({ QueueName: `v2-dlq-${suffix}` }).promise()).QueueUrl;
const dlqArn = (await sqs.getQueueAttributes({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }).promise()).Attributes.QueueArn;
await sqs.setQueueAttributes({ QueueUrl: std, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "1" }) } }).promise();
check("create FIFO and standard queues", fifo.endsWith(".fifo"));

const body = "v2 <body> & ünïcode";
const attrs = {
  str: { DataType: "String", StringValue: "s" },
  num: { DataType: "Number", StringValue: "3.14" },
  bin: { DataType: "Binary", BinaryValue: Buffer.from([9, 8, 7]) },
};
const sent = await sqs.sendMessage({ QueueUrl: fifo, MessageBody: body, MessageGroupId: "g", MessageDeduplicationId: "d1", MessageAttributes: attrs }).promise();
check("send: body MD5", sent.MD5OfMessageBody === md5(body));
check("send: attribute MD5", sent.MD5OfMessageAttributes === md5OfAttributes(attrs), sent.MD5OfMessageAttributes);
const dup = await sqs.sendMessage({ QueueUrl: fifo, MessageBody: "again", MessageGroupId: "g", MessageDeduplicationId: "d1" }).promise();
check("duplicate inside the window returns the original MessageId", dup.MessageId === sent.MessageId);

const batch = await sqs.sendMessageBatch({ QueueUrl: std, Entries: [
  { Id: "a", MessageBody: "one" },
  { Id: "b", MessageBody: "two", DelaySeconds: 901 },
] }).promise();
check("batch: one entry succeeds", (batch.Successful ?? []).map((e) => e.Id).join() === "a", batch.Successful);
check("batch: the failing entry is reported", batch.Failed?.length === 1 && batch.Failed[0].Code === "InvalidParameterValue", batch.Failed);

const got = await sqs.receiveMessage({ QueueUrl: fifo, MessageAttributeNames: ["num"], AttributeNames: ["SentTimestamp"] }).promise();
const m = got.Messages[0];
check("receive: body round-trips", m.Body === body);
check("receive: attribute filter", Object.keys(m.MessageAttributes ?? {}).join() === "num", m.MessageAttributes);
check("receive: MD5 over the returned subset", m.MD5OfMessageAttributes === md5OfAttributes({ num: attrs.num }));
check("receive: system attribute filter", Object.keys(m.Attributes ?? {}).join() === "SentTimestamp", m.Attributes);
await sqs.changeMessageVisibility({ QueueUrl: fifo, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }).promise();
const again = (await sqs.receiveMessage({ QueueUrl: fifo }).promise()).Messages ?? [];
check("change visibility to 0 makes the message receivable again", again.length === 1 && again[0].MessageId === m.MessageId);
await sqs.deleteMessage({ QueueUrl: fifo, ReceiptHandle: again[0].ReceiptHandle }).promise();
const left = (await sqs.getQueueAttributes({ QueueUrl: fifo, AttributeNames: ["ApproximateNumberOfMessages"] }).promise()).Attributes;
check("delete empties the queue", left.ApproximateNumberOfMessages === "0", left);

await sqs.receiveMessage({ QueueUrl: std, VisibilityTimeout: 0 }).promise();
await sqs.receiveMessage({ QueueUrl: std, VisibilityTimeout: 0 }).promise();
const inDlq = (await sqs.getQueueAttributes({ QueueUrl: dlq, AttributeNames: ["ApproximateNumberOfMessages"] }).promise()).Attributes;
check("DLQ: the message moves after maxReceiveCount", inDlq.ApproximateNumberOfMessages === "1", inDlq);

try {
  await sqs.getQueueUrl({ QueueName: `missing-${suffix}` }).promise();
  check("nonexistent queue raises", false);
} catch (err) {
  check("nonexistent queue: code AWS.SimpleQueueService.NonExistentQueue", err.code === "AWS.SimpleQueueService.NonExistentQueue", err.code);
  check("nonexistent queue: status 400", err.statusCode === 400, err.statusCode);
}
for (const url of [fifo, std, dlq]) await sqs.deleteQueue({ QueueUrl: url }).promise();
finish();
