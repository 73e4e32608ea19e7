"""Writes OTLP JSON traces with the OpenTelemetry Python SDK and protobuf
definitions, and the truths beside them, computed from the planned sends.

Run: python3 -m venv venv && venv/bin/pip install opentelemetry-sdk==1.45.2 \
       opentelemetry-exporter-otlp-proto-common==1.45.2 && venv/bin/python generate.py
"""

import base64
import json
import random

from google.protobuf.json_format import MessageToDict, MessageToJson
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, set_span_in_context

random.seed(2017)  # the SDK's id generator draws from `random`
rng = random.Random(42)
WINDOWS_S = [60, 300, 600]
MS = 1_000_000
S = 1_000_000_000
T0 = 1_764_000_000 * S

exporter = InMemorySpanExporter()
providers = {}


def tracer(service):
    if service not in providers:
        p = TracerProvider(resource=Resource.create({"service.name": service}))
        p.add_span_processor(SimpleSpanProcessor(exporter))
        providers[service] = p
    return providers[service].get_tracer("fifowin-testdata")


def span(service, name, kind, start, attributes=None, parent=None):
    ctx = set_span_in_context(parent) if parent is not None else None
    s = tracer(service).start_span(name, context=ctx, kind=kind, start_time=start, attributes=attributes or {})
    s.end(end_time=start + 40 * MS)
    return s


truths = {}


def record(file, source, offsets):
    """Adds one logical send's retries (offsets in ns from the first) to the truth."""
    t = truths.setdefault(file, {"sources": {}})["sources"].setdefault(
        source, {"n": 0, **{f"escapes_{w}s": 0 for w in WINDOWS_S}}
    )
    t["n"] += len(offsets) - 1
    for w in WINDOWS_S:
        anchor = offsets[0]
        for o in offsets[1:]:
            if o - anchor >= w * S:
                t[f"escapes_{w}s"] += 1
                anchor = o


def retry_offsets(service):
    n = rng.choice([1, 1, 2, 3])
    if service == "orders-api":
        out, t = [0], 0
        for k in range(n):
            t += rng.randint(20, 300 * 2**k) * MS
            out.append(t)
        if rng.random() < 0.05:
            # A resend after a long read timeout, around the window.
            out.append(t + rng.choice([295 * S, 300 * S, 310 * S]))
        return out
    # billing-worker: a job runner's retries, minutes apart.
    out, t = [0], 0
    for _ in range(n):
        t += rng.randint(100, 240) * S
        out.append(t)
    return out


# File 1: HTTP client spans; resends carry http.request.resend_count.
FILE1 = "http-resends"
t = T0
for service, sends in [("orders-api", 120), ("billing-worker", 60)]:
    for i in range(sends):
        t += 3 * S
        parent = span(service, "publish", SpanKind.INTERNAL, t)
        # Now and then two logical sends under one parent, one after the other.
        for j in range(2 if i % 10 == 0 else 1):
            start = t + j * 1000 * S
            offsets = retry_offsets(service)
            for k, off in enumerate(offsets):
                attrs = {"http.request.method": "POST", "server.address": "sqs.eu-west-1.amazonaws.com"}
                if k > 0:
                    attrs["http.request.resend_count"] = k
                span(service, "POST", SpanKind.CLIENT, start + off, attrs, parent)
            record(FILE1, service, offsets)
        # A client call that never failed: a send without retries.
        span(service, "GET", SpanKind.CLIENT, t + 5 * MS, {"http.request.method": "GET"}, parent)
# Resends without a parent span cannot be grouped: left out, and counted.
for i in range(4):
    span("orders-api", "POST", SpanKind.CLIENT, t + i * S, {"http.request.resend_count": 1})
truths[FILE1]["left_out"] = {"no_parent": 4}
truths[FILE1]["args"] = []
file1_spans = list(exporter.get_finished_spans())
exporter.clear()

# File 2: producer spans that record the dedup id and the retry source.
FILE2 = "dedup-attribute"
t = T0
for i in range(150):
    t += 2 * S
    source = "outbox" if i % 3 == 0 else "sdk"
    offsets = [0]
    if source == "outbox":
        offsets += [rng.randint(30, 700) * S for _ in range(rng.choice([1, 2]))]
    else:
        offsets += [rng.randint(50, 2000) * MS]
    offsets.sort()
    for k, off in enumerate(offsets):
        span("orders-api", "orders.fifo send", SpanKind.PRODUCER, t + off,
             {"app.dedup_id": f"order-{i}", "app.retry_source": source, "messaging.system": "aws_sqs"})
    record(FILE2, source, offsets)
for i in range(6):
    span("orders-api", "orders.fifo send", SpanKind.PRODUCER, t + i * S, {"messaging.system": "aws_sqs"})
truths[FILE2]["left_out"] = {"no_id": 6}
truths[FILE2]["args"] = ["--id-attribute", "app.dedup_id", "--source-attribute", "app.retry_source"]
file2_spans = list(exporter.get_finished_spans())

KINDS = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2,
         "SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5}


def collector_lines(request):
    """The Collector file exporter's layout (OTLP/JSON): one document per
    ResourceSpans, hex ids, span kinds as numbers."""
    out = []
    for rs in MessageToDict(request)["resourceSpans"]:
        for ss in rs.get("scopeSpans", []):
            for sp in ss.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in sp:
                        sp[key] = base64.b64decode(sp[key]).hex()
                if "kind" in sp:
                    sp["kind"] = KINDS[sp["kind"]]
        out.append(json.dumps({"resourceSpans": [rs]}, separators=(",", ":")))
    return "\n".join(out) + "\n"


# protobuf's own JSON mapping of the ExportTraceServiceRequest: one document.
with open(f"{FILE1}.json", "w") as f:
    f.write(MessageToJson(encode_spans(file1_spans)) + "\n")
with open(f"{FILE1}.collector.jsonl", "w") as f:
    f.write(collector_lines(encode_spans(file1_spans)))
with open(f"{FILE2}.collector.jsonl", "w") as f:
    f.write(collector_lines(encode_spans(file2_spans)))
with open("truth.json", "w") as f:
    json.dump(truths, f, indent=2, sort_keys=True)
    f.write("\n")
