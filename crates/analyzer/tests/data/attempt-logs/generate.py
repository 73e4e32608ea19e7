"""Writes attempt logs the way applications write them, and their truths.

Standard library only: `csv` writes the CSV (quoting what needs it), `json`
the JSONL. The truths are computed here from the integer send times, with the
fixed-anchor window: a send escapes when its lag from the current anchor is
>= the window (then it is the anchor); duplicates do not move the anchor.

Run: python3 generate.py
"""

import csv
import datetime
import json
import random

WINDOWS_S = [60, 300, 600]
MS = 1_000_000  # ns
S = 1_000_000_000
START_NS = 1_764_000_000_000 * MS  # 2025-11-24T16:00:00Z
rng = random.Random(1717)


def lags_for(source):
    """Offsets (ns, from the first send) of a message's retries."""
    if source == "sdk":
        n = rng.choice([0, 1, 1, 2, 3])
        t, out = 0, []
        for k in range(n):
            t += rng.randint(50, 400 * 2**k) * MS
            out.append(t)
        return out
    if source == "outbox":
        if rng.random() < 0.15:
            # The relay was down: re-published minutes late, sometimes twice.
            first = rng.randint(200_000, 700_000) * MS
            return [first] + ([first + rng.randint(250_000, 400_000) * MS] if rng.random() < 0.4 else [])
        return [rng.randint(1_000, 30_000) * MS]
    # lambda async: 1 min then 2 min after the failures, or exactly the window.
    if rng.random() < 0.1:
        return [300 * S]
    return [60 * S + rng.randint(0, 2_000) * MS, 180 * S + rng.randint(0, 4_000) * MS]


messages = []  # (id, [(attempt, t_ns, source)])
for i in range(900):
    source = ["sdk", "outbox", "lambda"][i % 3]
    # Ids with what CSV must quote: commas, quotes, a newline now and then.
    mid = f"order-{i:04d}"
    if i % 50 == 0:
        mid = f'order "{i}", eu'
    if i % 301 == 0:
        mid = f"order\n{i}"
    t0 = START_NS + i * 7_919 * MS
    sends = [(1, t0, source)] + [(k + 2, t0 + lag, source) for k, lag in enumerate(lags_for(source))]
    messages.append((mid, sends))


def truth_of(msgs):
    out = {}
    for _, sends in msgs:
        sends = sorted(sends, key=lambda s: (s[1], s[0]))
        for w in WINDOWS_S:
            anchor = sends[0][1]
            for attempt, t, source in sends[1:]:
                entry = out.setdefault(source, {"n": 0, **{f"escapes_{x}s": 0 for x in WINDOWS_S}})
                lag = t - anchor
                if lag >= w * S:
                    entry[f"escapes_{w}s"] += 1
                    anchor = t
                if w == WINDOWS_S[0]:
                    entry["n"] += 1
    return out


def rfc3339(t_ns, offset_h):
    tz = datetime.timezone(datetime.timedelta(hours=offset_h))
    secs, rem = divmod(t_ns, S)
    dt = datetime.datetime.fromtimestamp(secs, tz)
    assert rem % MS == 0
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{rem // MS:03d}" + (
        "Z" if offset_h == 0 else dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:]
    )


# CSV: the application's own column names and order, ISO times in two zones.
rows = []
for mid, sends in messages:
    for attempt, t, source in sends:
        status = "ok" if attempt == 1 else 'retry: "timeout",\nthen ok'
        rows.append([rfc3339(t, [0, 1, -5][attempt % 3]), mid, attempt, source, status])
rng.shuffle(rows)
with open("app-log.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["sent_at", "message id", "try", "producer", "status"])
    w.writerows(rows)

# JSONL: epoch milliseconds, the id nested, no attempt number, lines shuffled.
lines = []
for mid, sends in messages:
    for attempt, t, source in sends:
        lines.append({"ts": t // MS, "level": "info", "msg": {"dedup": mid, "queue": "orders.fifo"}, "svc": source})
rng.shuffle(lines)
with open("app-log.jsonl", "w") as f:
    for line in lines:
        f.write(json.dumps(line) + "\n")

truth = {
    "app-log.csv": {
        "args": ["--id-field", "message id", "--time-field", "sent_at", "--attempt-field", "try", "--source-field", "producer"],
        "sources": truth_of(messages),
    },
    "app-log.jsonl": {
        "args": ["--id-field", "msg.dedup", "--time-field", "ts", "--source-field", "svc"],
        "sources": truth_of(messages),
    },
}
with open("truth.json", "w") as f:
    json.dump(truth, f, indent=2, sort_keys=True)
    f.write("\n")
