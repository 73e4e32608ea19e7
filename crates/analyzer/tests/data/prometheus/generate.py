"""Writes the Prometheus test data with the real Python client library
(prometheus_client) and the truths beside it, computed from the raw lags.

Run: python3 -m venv venv && venv/bin/pip install prometheus_client==0.26.0
     venv/bin/python generate.py
"""

import json
import math
import random

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.exposition import generate_latest as text_format
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_format

WINDOWS_S = [60, 300, 600]
# A bound just below the window and one at it: a lag of exactly 300 s (which
# escapes under the `ge` rule) is the only thing that can fall between them.
BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 240, 299.999, 300, 600, 1200]
# Label values a parser must unescape: quote, backslash, newline, comma, brace.
QUEUE = 'orders "eu"\\fifo,\n{x}'

rng = random.Random(17)
lags = {"sdk": [], "outbox": []}
for _ in range(5000):
    # SDK retries: exponential backoff with jitter, a few seconds at most.
    lags["sdk"].append(round(rng.expovariate(1 / 0.4), 6))
for _ in range(800):
    lags["outbox"].append(round(rng.uniform(0.5, 200.0), 6))
# An outbox relay that was down for minutes: re-published rows 200-900 s late.
for _ in range(40):
    lags["outbox"].append(round(rng.uniform(200.0, 900.0), 6))
# Exactly at the window, and past the largest bound.
lags["outbox"] += [300.0, 300.0, 1500.0]

registry = CollectorRegistry()
lag = Histogram(
    "publish_retry_lag_seconds",
    "Time from a message's first send to this retry of it.",
    ["source", "queue"],
    buckets=BOUNDS,
    registry=registry,
)
# A second histogram in the same exposition, so --metric is needed.
request = Histogram(
    "http_request_duration_seconds",
    "Request latency.",
    ["route"],
    registry=registry,
)
for i, value in enumerate(lags["sdk"]):
    lag.labels(source="sdk", queue=QUEUE).observe(value)
    request.labels(route="/send").observe(value / 100)
for i, value in enumerate(lags["outbox"]):
    # Exemplars only show in OpenMetrics text.
    exemplar = {"trace_id": "%032x" % i} if i % 97 == 0 else None
    lag.labels(source="outbox", queue=QUEUE).observe(value, exemplar)

with open("retry-lag.prom", "wb") as f:
    f.write(text_format(registry))
with open("retry-lag.om", "wb") as f:
    f.write(openmetrics_format(registry))


def buckets_of(values):
    """(lo, hi, count) per bucket, with the client library's rule value <= le."""
    out = []
    lo = 0.0
    for hi in BOUNDS + [math.inf]:
        count = sum(1 for v in values if lo < v <= hi or (lo == 0.0 and v == 0.0 and hi > 0))
        out.append((lo, hi, count))
        lo = hi
    return out


def escapes(values, window):
    """[certain, possible] escapes under `ge` (lag >= window escapes)."""
    lo_count = hi_count = 0
    for lo, hi, count in buckets_of(values):
        if lo >= window:
            lo_count += count
        if hi >= window:
            hi_count += count
    return lo_count, hi_count


truth = {"metric": "publish_retry_lag_seconds", "source_label": "source", "sources": {}}
everything = lags["sdk"] + lags["outbox"]
for tag, values in list(lags.items()) + [("publish_retry_lag_seconds", everything)]:
    entry = {"n": len(values)}
    for w in WINDOWS_S:
        lo, hi = escapes(values, w)
        true = sum(1 for v in values if v >= w)
        assert lo <= true <= hi
        entry[f"escapes_lo_{w}s"] = lo
        entry[f"escapes_hi_{w}s"] = hi
        entry[f"true_escapes_{w}s"] = true
    truth["sources"][tag] = entry

# A saved /api/v1/query answer of
#   sum by (le, source) (increase(publish_retry_lag_seconds_bucket[7d]))
# Prometheus extrapolates increase() to the range's edges, so its counts are
# fractional: here every cumulative count is scaled by 1.0371 and, for one
# bucket, extrapolated a little less, so one le counts fewer than the one below.
SCALE = 1.0371
result = []
api_truth = {}
for tag, values in lags.items():
    cumulative = 0
    fixed = []
    previous_rounded = 0
    for lo, hi, count in buckets_of(values):
        cumulative += count
        scaled = cumulative * SCALE
        if hi == 60:
            scaled -= 2.6  # the dip: smaller than le=30's count
        le = "+Inf" if hi == math.inf else repr(float(hi)).removesuffix(".0")
        result.append(
            {"metric": {"le": le, "source": tag}, "value": [1764633600.0, repr(scaled)]}
        )
        rounded = max(round(scaled), previous_rounded)
        fixed.append((lo, hi, rounded - previous_rounded))
        previous_rounded = rounded
    entry = {"n": previous_rounded}
    for w in WINDOWS_S:
        entry[f"escapes_lo_{w}s"] = sum(c for lo, hi, c in fixed if lo >= w)
        entry[f"escapes_hi_{w}s"] = sum(c for lo, hi, c in fixed if hi >= w)
    api_truth[tag] = entry
with open("query-vector.json", "w") as f:
    json.dump({"status": "success", "data": {"resultType": "vector", "result": result}}, f, indent=1)
    f.write("\n")
truth["api"] = {"file": "query-vector.json", "scale": SCALE, "sources": api_truth}

with open("truth.json", "w") as f:
    json.dump(truth, f, indent=2, sort_keys=True)
    f.write("\n")
