"""Asks a real Prometheus server for the histogram in retry-lag.prom and saves
its /api/v1/query answer as query-raw.json.

A local HTTP server serves retry-lag.prom as /metrics; Prometheus (Debian's
`prometheus` package, 2.42) scrapes it every second on 127.0.0.1; then the
instant query `sum by (le, source) (publish_retry_lag_seconds_bucket)` is
saved. Its counts are the exposition's, so truth.json's per-source `n` and
escapes hold for it too. Both servers are stopped at the end.

Run: python3 query.py   (needs /usr/bin/prometheus)
"""

import http.server
import json
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

QUERY = "sum by (le, source) (publish_retry_lag_seconds_bucket)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


body = open("retry-lag.prom", "rb").read()


class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


target = http.server.HTTPServer(("127.0.0.1", free_port()), Metrics)
threading.Thread(target=target.serve_forever, daemon=True).start()
prom_port = free_port()
with tempfile.TemporaryDirectory() as tmp:
    with open(f"{tmp}/prometheus.yml", "w") as f:
        f.write(
            "global: {scrape_interval: 1s}\n"
            "scrape_configs:\n"
            f"  - job_name: app\n    static_configs: [{{targets: ['127.0.0.1:{target.server_port}']}}]\n"
        )
    server = subprocess.Popen(
        ["prometheus", f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
         f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": QUERY})
        answer = None
        for _ in range(60):
            time.sleep(1)
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    doc = json.load(r)
            except OSError:
                continue
            if doc.get("data", {}).get("result"):
                answer = doc
                break
        assert answer, "Prometheus returned no samples in 60 s"
    finally:
        server.terminate()
        server.wait(timeout=30)
        target.shutdown()
with open("query-raw.json", "w") as f:
    json.dump(answer, f, indent=1)
    f.write("\n")
print(len(answer["data"]["result"]), "samples")
