// @aws-sdk/client-sqs v3 against fifowin with MD5 validation left on (the SDK
// throws if a body MD5 it receives does not match). Usage: node js_v3.mjs <endpoint>
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand,
  SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand, ChangeMessageVisibilityCommand,
  DeleteMessageCommand, DeleteQueueCommand, GetQueueUrlCommand, StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand, QueueDoesNotExist,
} from "@aws-sdk/client-sqs";
import { check, md5, md5OfAttributes, finish, sleep } from "./common.mjs";

const endpoint = process.argv[2];
const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
console.log(`@aws-sdk/client-sqs, md5 validation option: ${sqs.config.md5 === false ? "off" : "on"}`);
check("MD5 validation is on", sqs.config.md5 !== false);
const send = (cmd) => sqs.send(cmd);
const suffix = Math.random().toString(16).slice(2, 10);

const fifo = (await send(new CreateQueueCommand({ QueueName: `js3-${suffix}.fifo`, Attributes: { FifoQueue: "true" } }))).QueueUrl;
const std = (await send(new CreateQueueCommand({ QueueName: `js3-${suffix}` }))).QueueUrl;
const dlq = (await send(new CreateQueueCommand({ QueueName: `js3-dlq-${suffix}` }))).QueueUrl;
const dlqArn = (await send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes.QueueArn;
await send(new SetQueueAttributesCommand({ QueueUrl: std, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }));
check("create FIFO and standard queues", fifo.endsWith(".fifo"));

const body = "js v3 <body> & \"quotes\" ✓";
const attrs = {
  str: { DataType: "String", StringValue: "s" },
  num: { DataType: "Number", StringValue: "7" },
  bin: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 254, 255]) },
};
const sent = await send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: body, MessageGroupId: "g", MessageDeduplicationId: "d1", MessageAttributes: attrs }));
check("send: body MD5 (validated by the SDK too)", sent.MD5OfMessageBody === md5(body));
check("send: attribute MD5", sent.MD5OfMessageAttributes === md5OfAttributes(attrs), sent.MD5OfMessageAttributes);
const dup = await send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: "second body", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
check("duplicate inside the window returns the original MessageId", dup.MessageId === sent.MessageId);
check("duplicate: MD5 of the new body passes validation", dup.MD5OfMessageBody === md5("second body"));

const batch = await send(new SendMessageBatchCommand({ QueueUrl: std, Entries: [
  { Id: "a", MessageBody: "one" },
  { Id: "b", MessageBody: "bell \u0007" },
] }));
check("batch: one entry succeeds", (batch.Successful ?? []).map((e) => e.Id).join() === "a", batch.Successful);
check("batch: the failing entry is reported", batch.Failed?.length === 1 && batch.Failed[0].Code === "InvalidMessageContents", batch.Failed);

const got = await send(new ReceiveMessageCommand({ QueueUrl: fifo, MessageAttributeNames: ["str", "bin"], MessageSystemAttributeNames: ["SentTimestamp"] }));
const m = got.Messages[0];
check("receive: body round-trips (MD5 validated by the SDK)", m.Body === body);
check("receive: attribute filter", Object.keys(m.MessageAttributes ?? {}).sort().join() === "bin,str", m.MessageAttributes);
check("receive: binary value", Buffer.from(m.MessageAttributes.bin.BinaryValue).equals(Buffer.from([0, 1, 254, 255])));
check("receive: MD5 over the returned subset", m.MD5OfMessageAttributes === md5OfAttributes({ str: attrs.str, bin: attrs.bin }));
check("receive: system attribute filter", Object.keys(m.Attributes ?? {}).join() === "SentTimestamp", m.Attributes);
await send(new ChangeMessageVisibilityCommand({ QueueUrl: fifo, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
const again = (await send(new ReceiveMessageCommand({ QueueUrl: fifo }))).Messages ?? [];
check("change visibility to 0 makes the message receivable again", again.length === 1 && again[0].MessageId === m.MessageId);
await send(new DeleteMessageCommand({ QueueUrl: fifo, ReceiptHandle: again[0].ReceiptHandle }));
const left = (await send(new GetQueueAttributesCommand({ QueueUrl: fifo, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes;
check("delete empties the queue", left.ApproximateNumberOfMessages === "0", left);

await send(new ReceiveMessageCommand({ QueueUrl: std, VisibilityTimeout: 0 }));
await send(new ReceiveMessageCommand({ QueueUrl: std, VisibilityTimeout: 0 }));
const inDlq = (await send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes;
check("DLQ: the message moves after maxReceiveCount", inDlq.ApproximateNumberOfMessages === "1", inDlq);
await send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 10 }));
let task;
for (let i = 0; i < 50; i++) {
  task = (await send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results[0];
  if (task.Status === "COMPLETED") break;
  await sleep(100);
}
check("DLQ: a move task redrives it to its source", task.Status === "COMPLETED" && task.ApproximateNumberOfMessagesMoved === 1, task);

try {
  await send(new GetQueueUrlCommand({ QueueName: `missing-${suffix}` }));
  check("nonexistent queue raises", false);
} catch (err) {
  check("nonexistent queue: QueueDoesNotExist error class", err instanceof QueueDoesNotExist, err.name);
  check("nonexistent queue: Code AWS.SimpleQueueService.NonExistentQueue", err.Code === "AWS.SimpleQueueService.NonExistentQueue", err.Code);
}
for (const url of [fifo, std, dlq]) await send(new DeleteQueueCommand({ QueueUrl: url }));
finish();
