// @aws-sdk/client-sns v3 (with @aws-sdk/client-sqs v3 reading the queues) against
// fifowin: a FIFO topic fanning out to a raw, an enveloped and a filtered FIFO queue,
// explicit and content-based dedup ids, duplicates answered with the original ids and
// delivered once, PublishBatch and its retry, attributes, tags, unsubscribe, delete,
// and errors checked by class and Code. Every check compares exact values; the
// envelope is rebuilt here as sns-spec.md §4.1 writes it.
// Usage: node js_v3_sns.mjs <endpoint>
import crypto from "node:crypto";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, GetTopicAttributesCommand, SetTopicAttributesCommand,
  GetSubscriptionAttributesCommand, SetSubscriptionAttributesCommand, PublishCommand, PublishBatchCommand,
  ListTopicsCommand, ListSubscriptionsByTopicCommand, ListSubscriptionsCommand, TagResourceCommand,
  UntagResourceCommand, ListTagsForResourceCommand, UnsubscribeCommand, DeleteTopicCommand,
  InvalidParameterException, NotFoundException,
} from "@aws-sdk/client-sns";
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand,
  DeleteQueueCommand,
} from "@aws-sdk/client-sqs";
import { check, finish } from "./common.mjs";

const endpoint = process.argv[2];
const region = "us-east-1";
const config = { endpoint, region, credentials: { accessKeyId: "x", secretAccessKey: "x" } };
const sns = new SNSClient(config);
const sqs = new SQSClient(config);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEQUENCE = /^1[0-9]{19}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");
const byArn = (a, b) => (a.SubscriptionArn < b.SubscriptionArn ? -1 : 1);
const retail = { channel: { DataType: "String", StringValue: "retail" } };
const online = { channel: { DataType: "String", StringValue: "online" } };

async function errorOf(command) {
  try {
    await sns.send(command);
    return null;
  } catch (err) {
    // The SDK's own modeled classes, matched by instanceof, not by name.
    const modeled = [InvalidParameterException, NotFoundException].find((c) => err instanceof c);
    return [modeled ? modeled.name : `unmodeled ${err.name}`, err.Code, err.message];
  }
}

async function drain(url) {
  const got = [];
  for (let i = 0; i < 20; i++) {
    const batch = (await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"],
    }))).Messages ?? [];
    if (batch.length === 0) break;
    for (const m of batch) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    got.push(...batch);
  }
  return got.sort((a, b) => (BigInt(a.Attributes.SequenceNumber) < BigInt(b.Attributes.SequenceNumber) ? -1 : 1));
}

// The envelope's exact bytes from a FIFO topic (no signature fields), sns-spec.md §4.1.
function envelope({ messageId, sequence, topicArn, subject, message, timestamp, unsubscribeUrl, attributes }) {
  const s = (v) => JSON.stringify(v);
  const fields = [["Type", s("Notification")], ["MessageId", s(messageId)], ["SequenceNumber", s(sequence)], ["TopicArn", s(topicArn)]];
  if (subject !== undefined) fields.push(["Subject", s(subject)]);
  fields.push(["Message", s(message)], ["Timestamp", s(timestamp)], ["UnsubscribeURL", s(unsubscribeUrl)]);
  const names = Object.keys(attributes);
  if (names.length > 0) {
    const entries = names.map((n) => `${s(n)} : {"Type":${s(attributes[n].DataType)},"Value":${s(attributes[n].StringValue)}}`);
    fields.push(["MessageAttributes", `{\n    ${entries.join(",\n    ")}\n  }`]);
  }
  return `{\n${fields.map(([k, v]) => `  "${k}" : ${v}`).join(",\n")}\n}`;
}

const suffix = crypto.randomBytes(4).toString("hex");
const queues = {};
for (const role of ["raw", "env", "filt"]) {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: `js-${role}-${suffix}.fifo`, Attributes: { FifoQueue: "true" } }))).QueueUrl;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes.QueueArn;
  queues[role] = { url, arn };
}
const account = queues.raw.arn.split(":")[4];

const name = `js-prices-${suffix}.fifo`;
const topicArn = (await sns.send(new CreateTopicCommand({ Name: name, Attributes: { FifoTopic: "true" }, Tags: [{ Key: "team", Value: "payments" }] }))).TopicArn;
check("CreateTopic: the ARN", topicArn === `arn:aws:sns:${region}:${account}:${name}`, topicArn);
const again = (await sns.send(new CreateTopicCommand({ Name: name, Attributes: { FifoTopic: "true" }, Tags: [] }))).TopicArn;
check("CreateTopic again (equal attributes, no tags): the same ARN", again === topicArn, again);
let err = await errorOf(new CreateTopicCommand({ Name: name, Attributes: { FifoTopic: "true" }, Tags: [{ Key: "team", Value: "other" }] }));
check("CreateTopic again with a different tag: InvalidParameter",
  same(err, ["InvalidParameterException", "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags"]), err);

const policy = JSON.stringify({ channel: ["retail"] });
const subAttrs = { raw: { RawMessageDelivery: "true" }, env: {}, filt: { FilterPolicy: policy } };
const subs = {};
for (const role of Object.keys(queues)) {
  subs[role] = (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queues[role].arn, Attributes: subAttrs[role], ReturnSubscriptionArn: true }))).SubscriptionArn;
  const i = subs[role].lastIndexOf(":");
  check(`Subscribe ${role}: <topic ARN>:<uuid>`, subs[role].slice(0, i) === topicArn && UUID.test(subs[role].slice(i + 1)), subs[role]);
}
// The default Policy and EffectiveDeliveryPolicy AWS lists, in AWS's key order (sns-spec.md §2.2).
const defaultPolicy = JSON.stringify({
  Version: "2008-10-17", Id: "__default_policy_ID",
  Statement: [{
    Sid: "__default_statement_ID", Effect: "Allow", Principal: { AWS: "*" },
    Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
      "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
    Resource: topicArn, Condition: { StringEquals: { "AWS:SourceOwner": account } },
  }],
});
const effectiveDeliveryPolicy = JSON.stringify({ http: {
  defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" },
  disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
} });
const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
const topicAttrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes;
const wantTopic = {
  TopicArn: topicArn, Owner: account, Policy: defaultPolicy, DisplayName: "", EffectiveDeliveryPolicy: effectiveDeliveryPolicy,
  SubscriptionsConfirmed: "3", SubscriptionsPending: "0", SubscriptionsDeleted: "0", FifoTopic: "true", ContentBasedDeduplication: "false",
};
check("GetTopicAttributes: every attribute, exact", same(sorted(topicAttrs), sorted(wantTopic)), topicAttrs);
for (const role of Object.keys(queues)) {
  const got = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subs[role] }))).Attributes;
  const want = {
    ConfirmationWasAuthenticated: "true", Endpoint: queues[role].arn, Owner: account, PendingConfirmation: "false", Protocol: "sqs",
    RawMessageDelivery: role === "raw" ? "true" : "false", SubscriptionArn: subs[role],
    SubscriptionPrincipal: `arn:aws:iam::${account}:root`, TopicArn: topicArn,
    ...(role === "filt" ? { FilterPolicy: policy, FilterPolicyScope: "MessageAttributes" } : {}),
  };
  check(`GetSubscriptionAttributes ${role}: every attribute, exact`, same(sorted(got), sorted(want)), got);
}

const pick = (r) => [r.MessageId, r.SequenceNumber];
const p1 = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"sku":"214"}', Subject: "price", MessageGroupId: "p-214", MessageDeduplicationId: "d-1", MessageAttributes: retail }));
check("Publish: a UUID MessageId and a 20-digit SequenceNumber", UUID.test(p1.MessageId) && SEQUENCE.test(p1.SequenceNumber ?? ""), pick(p1));
const d1 = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "other body", MessageGroupId: "p-214", MessageDeduplicationId: "d-1" }));
check("duplicate Publish: the original MessageId and SequenceNumber", same(pick(d1), pick(p1)), pick(d1));
err = await errorOf(new PublishCommand({ TopicArn: topicArn, Message: "no group", MessageDeduplicationId: "d-x" }));
check("Publish without MessageGroupId: InvalidParameterException",
  same(err, ["InvalidParameterException", "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"]), err);

await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "ContentBasedDeduplication", AttributeValue: "true" }));
const cbd = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes.ContentBasedDeduplication;
check("SetTopicAttributes ContentBasedDeduplication: now true", cbd === "true", cbd);
const p2 = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "Test", MessageGroupId: "g2", MessageAttributes: online }));
const d2 = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "Test", MessageGroupId: "g3" }));
check("content-based duplicate in another group: the original ids", same(pick(d2), pick(p2)), [pick(p2), pick(d2)]);

const entries = [
  { Id: "a", Message: "batch a", MessageGroupId: "g-batch", MessageAttributes: retail },
  { Id: "b", Message: "batch b", MessageGroupId: "g-batch", MessageDeduplicationId: "d-b" },
  { Id: "c", Message: "batch c", MessageGroupId: "g-batch" },
];
const batch = await sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
const ok = batch.Successful ?? [];
check("PublishBatch: three entries in order, increasing sequence numbers, Failed empty",
  same(ok.map((e) => e.Id), ["a", "b", "c"]) && ok.every((e, i) => i === 0 || BigInt(e.SequenceNumber) > BigInt(ok[i - 1].SequenceNumber))
  && BigInt(ok[0].SequenceNumber) > BigInt(p2.SequenceNumber) && same(batch.Failed, []), [ok, batch.Failed]);
const retry = await sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
check("PublishBatch retried: the same ids per entry", same(retry.Successful, ok) && same(retry.Failed, []), retry.Successful);

const accepted = [
  { pub: p1, group: "p-214", dedup: "d-1", message: '{"sku":"214"}', subject: "price", attributes: retail },
  { pub: p2, group: "g2", dedup: "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25", message: "Test", attributes: online },
  { pub: ok[0], group: "g-batch", dedup: sha256("batch a"), message: "batch a", attributes: retail },
  { pub: ok[1], group: "g-batch", dedup: "d-b", message: "batch b", attributes: {} },
  { pub: ok[2], group: "g-batch", dedup: sha256("batch c"), message: "batch c", attributes: {} },
];
const ids = (m) => [m.Attributes.MessageGroupId, m.Attributes.MessageDeduplicationId];
const raw = await drain(queues.raw.url);
check("raw queue: bodies, group and dedup ids, one per accepted publish",
  same(raw.map((m) => [m.Body, ...ids(m)]), accepted.map((a) => [a.message, a.group, a.dedup])), raw.map((m) => [m.Body, ...ids(m)]));
check("raw queue: publish attributes become SQS message attributes",
  same(raw.map((m) => m.MessageAttributes ?? {}), accepted.map((a) => a.attributes)), raw.map((m) => m.MessageAttributes));
const env = await drain(queues.env.url);
check("enveloped queue: one per accepted publish", env.length === accepted.length, env.map((m) => m.Body));
// fifowin's SNS links without --public-url, as in sns-spec.md §4.4's example.
const unsubscribeUrl = `http://localhost:9324/?Action=Unsubscribe&SubscriptionArn=${subs.env}`;
env.forEach((m, i) => {
  const a = accepted[i];
  const timestamp = JSON.parse(m.Body).Timestamp ?? "";
  const want = envelope({ messageId: a.pub.MessageId, sequence: a.pub.SequenceNumber, topicArn, subject: a.subject, message: a.message, timestamp, unsubscribeUrl, attributes: a.attributes });
  check(`enveloped ${JSON.stringify(a.message)}: the envelope byte for byte`, m.Body === want && TIMESTAMP.test(timestamp), [m.Body, want]);
  check(`enveloped ${JSON.stringify(a.message)}: group and dedup id passed on, no SQS message attributes`,
    same(ids(m), [a.group, a.dedup]) && m.MessageAttributes === undefined, m);
});
const filt = await drain(queues.filt.url);
check("filtered queue: only the publishes with channel=retail",
  same(filt.map((m) => JSON.parse(m.Body).MessageId), [p1.MessageId, ok[0].MessageId]), filt.map((m) => m.Body));

const topics = (await sns.send(new ListTopicsCommand({}))).Topics.map((t) => t.TopicArn).filter((a) => a.includes(suffix));
check("ListTopics: the topic", same(topics, [topicArn]), topics);
const want = Object.keys(subs).map((r) => ({ SubscriptionArn: subs[r], Owner: account, Protocol: "sqs", Endpoint: queues[r].arn, TopicArn: topicArn })).sort(byArn);
const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions.sort(byArn);
check("ListSubscriptionsByTopic: the three subscriptions, every field", same(listed, want), listed);
const everywhere = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions.filter((s) => s.TopicArn === topicArn).sort(byArn);
check("ListSubscriptions: the same three", same(everywhere, want), everywhere);

const onlinePolicy = JSON.stringify({ channel: ["online"] });
await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subs.filt, AttributeName: "FilterPolicy", AttributeValue: onlinePolicy }));
const newPolicy = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subs.filt }))).Attributes.FilterPolicy;
check("SetSubscriptionAttributes FilterPolicy: read back verbatim", newPolicy === onlinePolicy, newPolicy);
await sns.send(new TagResourceCommand({ ResourceArn: topicArn, Tags: [{ Key: "env", Value: "test" }] }));
let tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }))).Tags.sort((a, b) => (a.Key < b.Key ? -1 : 1));
check("TagResource: both tags", same(tags, [{ Key: "env", Value: "test" }, { Key: "team", Value: "payments" }]), tags);
await sns.send(new UntagResourceCommand({ ResourceArn: topicArn, TagKeys: ["team"] }));
tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }))).Tags;
check("UntagResource: the other tag left", same(tags, [{ Key: "env", Value: "test" }]), tags);

await sns.send(new UnsubscribeCommand({ SubscriptionArn: subs.env }));
err = await errorOf(new GetSubscriptionAttributesCommand({ SubscriptionArn: subs.env }));
check("GetSubscriptionAttributes after Unsubscribe: NotFoundException", same(err, ["NotFoundException", "NotFound", "Subscription does not exist"]), err);
const p3 = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "after unsubscribe", MessageGroupId: "g4", MessageAttributes: online }));
const after = {};
for (const r of Object.keys(queues)) after[r] = (await drain(queues[r].url)).map((m) => m.Body);
check("after Unsubscribe: raw and the re-filtered queue get it, the unsubscribed one nothing",
  same(after.raw, ["after unsubscribe"]) && same(after.env, []) && same(after.filt.map((b) => JSON.parse(b).MessageId), [p3.MessageId]), after);

await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
err = await errorOf(new GetTopicAttributesCommand({ TopicArn: topicArn }));
check("GetTopicAttributes of a deleted topic: NotFoundException", same(err, ["NotFoundException", "NotFound", "Topic does not exist"]), err);
const leftSubs = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions.filter((s) => s.TopicArn === topicArn);
check("DeleteTopic: its subscriptions are gone", same(leftSubs, []), leftSubs);
for (const q of Object.values(queues)) await sqs.send(new DeleteQueueCommand({ QueueUrl: q.url }));
finish();
