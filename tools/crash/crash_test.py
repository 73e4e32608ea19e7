#!/usr/bin/env python3
"""Crash test of fifowin's durable mode (--data-dir).

Producers and consumers run against a FIFO queue on loopback while the server is
killed with SIGKILL at random moments and restarted, repeatedly. At the end every
message is drained and three properties are checked:

  lost        an acknowledged send (200) that was never delivered
  resurrected a message delivered again after its delete was acknowledged
  duplicates  a dedup id delivered under a second MessageId (a duplicate inside
              the window accepted as new), or a re-send after a restart answered
              with a MessageId other than the first one
  diverged    logged requests that failed when replayed at start-up (the server
              says so in its log): the rebuilt state is not the one clients saw

Modes (--mode):
  plain        the above
  manual-clock the server runs with --clock manual and a thread advances it all
               the time; also checked: the clock never goes back across a restart
               (CLOCK WENT BACK: an acknowledged advance undone)
  move-task    producers send to a dead-letter queue and a message move task
               (restarted whenever none is running) moves them to the queue the
               consumers read, so the server is killed while a task runs; the
               drain moves what is left. Also printed: how many times a task
               that was running before a kill was running again after it.
  sns          producers publish to a FIFO SNS topic (Query API) that fans out
               to the queue the consumers read (raw delivery), so the topic's
               window, its sequence numbers and the subscription are rebuilt
               at every restart; a duplicate is a dedup id delivered twice, or
               a re-publish answered with another MessageId than the first.

With --snapshot-every N the server takes a snapshot every N logged requests
(a tiny N keeps one under way nearly all the time, so the kills land during
snapshots and the deletion of the records they cover); the count written
before each kill is read from /metrics and reported.

Usage: tools/crash/crash_test.py [--bin target/debug/fifowin] [--rounds 8] [--seed 1] [--mode plain|manual-clock|move-task|sns]
                                 [--snapshot-every N]
Exits 0 when all counts are zero. Bounded: rounds x (1-3 s) plus the drain.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

QUEUE = "crash.fifo"
# The server's dedup window. A long run outlasts the default 5 minutes, and a
# re-send of an id acknowledged longer ago than the window is rightly accepted
# as new; so the window is long, and re-sends pick ids well inside it.
WINDOW_S = 3600
# move-task mode: producers send here; a move task takes messages to QUEUE.
DLQ = "crash-dlq.fifo"
# move-task mode: the queue whose RedrivePolicy makes DLQ a dead-letter queue.
SOURCE = "crash-src.fifo"
# sns mode: producers publish here; its subscription delivers to QUEUE.
TOPIC = "arn:aws:sns:us-east-1:000000000000:crash.fifo"


def arn(name):
    return f"arn:aws:sqs:us-east-1:000000000000:{name}"


def control(port, path, body=None, timeout=5.0):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                 headers={"Content-Type": "application/json"},
                                 method="GET" if body is None else "POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"{}")


def call(port, op, body, timeout=5.0):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps(body).encode(),
        headers={"X-Amz-Target": f"AmazonSQS.{op}", "Content-Type": "application/x-amz-json-1.0"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def sns(port, params, timeout=5.0):
    """An SNS Query request: its status and XML answer."""
    data = urllib.parse.urlencode({**params, "Version": "2010-03-31"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def send(port, target, dedup, n):
    """Sends (or in sns mode, when target is TOPIC, publishes) one message:
    the status and the MessageId answered."""
    if target == TOPIC:
        status, xml = sns(port, {"Action": "Publish", "TopicArn": TOPIC, "Message": dedup,
                                 "MessageGroupId": f"g{n % 8}", "MessageDeduplicationId": dedup})
        start, end = xml.find("<MessageId>"), xml.find("</MessageId>")
        return status, (xml[start + len("<MessageId>"):end] if status == 200 and start >= 0 else None)
    status, out = call(port, "SendMessage", {"QueueUrl": target, "MessageBody": dedup,
                                             "MessageGroupId": f"g{n % 8}", "MessageDeduplicationId": dedup})
    return status, out.get("MessageId")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, port, data_dir, log, extra):
        self.binary, self.port, self.data_dir, self.log, self.extra = binary, port, data_dir, log, extra
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir, "--log-level", "warn",
             "--dedup-window", f"{WINDOW_S}s"]
            + self.extra,
            stdout=self.log, stderr=self.log,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_fifowin/health", timeout=1):
                    return
            except Exception:
                if self.proc.poll() is not None:
                    raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log.name}")
                time.sleep(0.05)
        raise SystemExit("server did not come up in 60 s")

    def snapshots_written(self):
        """Snapshots this server process wrote (0 when /metrics does not answer)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2) as resp:
                for line in resp.read().decode().splitlines():
                    if line.startswith("fifowin_durable_snapshots_total "):
                        return int(line.split()[1])
        except Exception:
            pass
        return 0

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}          # dedup id -> MessageId of the first 200
        self.acked_at = {}       # dedup id -> time of the first 200
        self.unknown = set()     # sends whose answer never came (yet)
        self.lost_answers = 0    # send attempts whose answer never came
        self.delivered = {}      # dedup id -> set of MessageIds seen
        self.deliveries = 0
        self.deleted = set()     # MessageIds whose delete was acknowledged
        self.resurrected = 0
        self.dedup_mismatch = 0
        self.dedup_checks = 0
        self.redelivered = 0
        self.clock_acked = 0     # the latest acknowledged manual-clock time
        self.clock_back = 0      # restarts that found the clock before it
        self.task_running = False  # a move task was running at the last look
        self.tasks_resumed = 0   # kills after which a running task was running again


def producer(port, st, ids, stop, target):
    for n in ids:
        if stop.is_set():
            return
        dedup = f"m{n}"
        while not stop.is_set():
            try:
                status, message_id = send(port, target, dedup, n)
            except Exception:
                with st.lock:
                    st.unknown.add(dedup)
                    st.lost_answers += 1
                time.sleep(0.05)
                continue  # retry the same dedup id: must be deduplicated if it was stored
            if status == 200:
                with st.lock:
                    first = st.acked.setdefault(dedup, message_id)
                    st.acked_at.setdefault(dedup, time.time())
                    if first != message_id:
                        st.dedup_mismatch += 1
                    st.unknown.discard(dedup)
                break
            time.sleep(0.05)


def consume_once(port, st):
    status, out = call(port, "ReceiveMessage", {"QueueUrl": QUEUE, "MaxNumberOfMessages": 10,
                                                 "WaitTimeSeconds": 1, "VisibilityTimeout": 2})
    if status != 200:
        return 0
    msgs = out.get("Messages", [])
    for m in msgs:
        with st.lock:
            st.deliveries += 1
            seen = st.delivered.setdefault(m["Body"], set())
            if m["MessageId"] in seen:
                st.redelivered += 1
            seen.add(m["MessageId"])
            if m["MessageId"] in st.deleted:
                st.resurrected += 1
        s, _ = call(port, "DeleteMessage", {"QueueUrl": QUEUE, "ReceiptHandle": m["ReceiptHandle"]})
        if s == 200:
            with st.lock:
                st.deleted.add(m["MessageId"])
    return len(msgs)


def consumer(port, st, stop):
    while not stop.is_set():
        try:
            consume_once(port, st)
        except Exception:
            time.sleep(0.05)


def advancer(port, st, stop):
    """manual-clock mode: moves the server clock 50 ms every 20 ms."""
    while not stop.is_set():
        try:
            now = control(port, "/_fifowin/clock/advance", {"ms": 50})["now_ms"]
            with st.lock:
                st.clock_acked = max(st.clock_acked, now)
        except Exception:
            pass
        time.sleep(0.02)


def running_task(port):
    status, out = call(port, "ListMessageMoveTasks", {"SourceArn": arn(DLQ)})
    return status == 200 and any(t.get("Status") == "RUNNING" for t in out.get("Results", []))


def move_once(port, st):
    """move-task mode: starts a task unless one runs; returns whether one runs."""
    if running_task(port):
        with st.lock:
            st.task_running = True
        return True
    call(port, "StartMessageMoveTask", {"SourceArn": arn(DLQ), "DestinationArn": arn(QUEUE),
                                        "MaxNumberOfMessagesPerSecond": 50})
    with st.lock:
        st.task_running = False
    return False


def mover(port, st, stop):
    while not stop.is_set():
        try:
            move_once(port, st)
        except Exception:
            pass
        time.sleep(0.1)


def resend_check(port, st, rng, target):
    """After a restart, re-send some acknowledged dedup ids: the window must hold."""
    recent = time.time() - (WINDOW_S - 300)
    with st.lock:
        inside = sorted((d, m) for d, m in st.acked.items() if st.acked_at[d] > recent)
        sample = rng.sample(inside, min(20, len(inside)))
    for dedup, first in sample:
        status, message_id = send(port, target, dedup, int(dedup[1:]))
        with st.lock:
            st.dedup_checks += 1
            if status != 200 or message_id != first:
                st.dedup_mismatch += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/debug/fifowin")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-round", type=int, default=300, help="messages each producer offers per round")
    ap.add_argument("--mode", choices=["plain", "manual-clock", "move-task", "sns"], default="plain")
    ap.add_argument("--snapshot-every", type=int, default=None,
                    help="the server's --snapshot-every (default: the server's own)")
    args = ap.parse_args()
    target = {"move-task": DLQ, "sns": TOPIC}.get(args.mode, QUEUE)
    rng = random.Random(args.seed)
    data_dir = tempfile.mkdtemp(prefix="fifowin-crash-")
    log = open(os.path.join(data_dir, "server.log"), "ab")
    port = free_port()
    extra = ["--clock", "manual"] if args.mode == "manual-clock" else []
    if args.snapshot_every is not None:
        extra += ["--snapshot-every", str(args.snapshot_every)]
    server = Server(args.bin, port, os.path.join(data_dir, "db"), log, extra)
    st = State()
    started = time.time()
    server.start()
    status, out = call(port, "CreateQueue", {"QueueName": QUEUE, "Attributes": {"FifoQueue": "true"}})
    assert status == 200, out
    if args.mode == "move-task":
        for name, attrs in [(DLQ, {}), (SOURCE, {"RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": arn(DLQ), "maxReceiveCount": 5})})]:
            status, out = call(port, "CreateQueue", {"QueueName": name,
                                                     "Attributes": {"FifoQueue": "true", **attrs}})
            assert status == 200, out
    if args.mode == "sns":
        for params in [{"Action": "CreateTopic", "Name": "crash.fifo", "Attributes.entry.1.key": "FifoTopic",
                        "Attributes.entry.1.value": "true"},
                       {"Action": "Subscribe", "TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": arn(QUEUE),
                        "Attributes.entry.1.key": "RawMessageDelivery", "Attributes.entry.1.value": "true"}]:
            status, out = sns(port, params)
            assert status == 200, out
    # Background threads that run across rounds and restarts (the clock must keep
    # moving during the drain, for in-flight messages to come back).
    background_stop = threading.Event()
    background = []
    if args.mode == "manual-clock":
        background.append(threading.Thread(target=advancer, args=(port, st, background_stop)))
    for t in background:
        t.start()
    next_id = 0
    kills = 0
    snapshots = 0
    try:
        for r in range(args.rounds):
            stop = threading.Event()
            threads = []
            for _ in range(2):
                ids = range(next_id, next_id + args.per_round)
                next_id += args.per_round
                threads.append(threading.Thread(target=producer, args=(port, st, ids, stop, target)))
            if args.mode == "move-task":
                threads.append(threading.Thread(target=mover, args=(port, st, stop)))
            threads.append(threading.Thread(target=consumer, args=(port, st, stop)))
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.5, 2.5))
            with st.lock:
                was_running = st.task_running
                clock_before = st.clock_acked
            snapshots += server.snapshots_written()
            server.kill()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()
            if args.mode == "manual-clock" and control(port, "/_fifowin/clock")["now_ms"] < clock_before:
                st.clock_back += 1
            if was_running and running_task(port):
                st.tasks_resumed += 1
            resend_check(port, st, rng, target)
            # Let producers finish their ids against the restarted server.
            for t in threads[:2]:
                t.join(timeout=120)
            stop.set()
            for t in threads[2:]:
                t.join(timeout=30)
        # Drain: everything acknowledged must come out; in-flight ones reappear after 2 s.
        idle_since = time.time()
        while time.time() - idle_since < 5:
            moving = args.mode == "move-task" and (move_once(port, st) or call(
                port, "GetQueueAttributes", {"QueueUrl": DLQ, "AttributeNames": ["All"]}
            )[1]["Attributes"]["ApproximateNumberOfMessages"] != "0")
            if consume_once(port, st) > 0 or moving:
                idle_since = time.time()
        _, attrs = call(port, "GetQueueAttributes", {"QueueUrl": QUEUE, "AttributeNames": ["All"]})
    finally:
        background_stop.set()
        for t in background:
            t.join(timeout=10)
        server.kill()
    with st.lock:
        lost = sorted(d for d in st.acked if d not in st.delivered)
        duplicates = sum(1 for ids in st.delivered.values() if len(ids) > 1)
        print(f"crash test ({args.mode}): {args.rounds} rounds, {kills} SIGKILLs, {time.time() - started:.1f} s")
        print(f"  snapshots written       {snapshots} before the kills (--snapshot-every {args.snapshot_every or 'default'})")
        print(f"  sends acknowledged      {len(st.acked)}")
        print(f"  send answers lost       {st.lost_answers} (outcome unknown to the client; retried with the same dedup id)")
        print(f"  deliveries              {st.deliveries} ({st.redelivered} redeliveries of undeleted messages)")
        print(f"  deletes acknowledged    {len(st.deleted)}")
        print(f"  dedup re-sends after restart {st.dedup_checks}")
        print(f"  left in queue           {attrs.get('Attributes', {}).get('ApproximateNumberOfMessages')}")
        print(f"  LOST                    {len(lost)} {lost[:10]}")
        print(f"  RESURRECTED             {st.resurrected}")
        print(f"  DUPLICATES              {duplicates} (+{st.dedup_mismatch} MessageId mismatches)")
        if args.mode == "manual-clock":
            print(f"  CLOCK WENT BACK         {st.clock_back} (restarts that undid an acknowledged advance)")
        if args.mode == "move-task":
            print(f"  tasks resumed           {st.tasks_resumed} (kills with a task running, running again after)")
    log.close()
    with open(os.path.join(data_dir, "server.log"), errors="replace") as f:
        diverged = sum(1 for line in f if "failed on replay" in line and "logged requests" in line)
    print(f"  REPLAY DIVERGENCES      {diverged} (start-ups with logged requests failing on replay)")
    ok = (not lost and st.resurrected == 0 and duplicates == 0 and st.dedup_mismatch == 0 and diverged == 0
          and st.clock_back == 0)
    if ok:
        shutil.rmtree(data_dir, ignore_errors=True)
    else:
        print(f"  kept {data_dir} for inspection")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
