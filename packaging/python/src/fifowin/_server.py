"""FifowinServer: one `fifowin serve` child process on a free port, found through
its ready file, and the control API calls a test makes (standard library only)."""

from __future__ import annotations

import atexit
import datetime
import json
import os
import shutil
import signal
import subprocess
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence, Union

# Control calls go straight to 127.0.0.1, never through an HTTP(S)_PROXY from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Window = Union[str, int, float, datetime.timedelta]


class FifowinError(RuntimeError):
    """The server did not start, or a control call failed."""


def find_binary(explicit: Optional[str] = None) -> str:
    """The fifowin binary: `explicit`, else $FIFOWIN_BIN, else the one this package
    installed into the environment's scripts directory, else `fifowin` on PATH."""
    for candidate in (explicit, os.environ.get("FIFOWIN_BIN")):
        if candidate:
            if not os.access(candidate, os.X_OK):
                raise FifowinError(f"fifowin binary {candidate!r} is not an executable file")
            return candidate
    name = "fifowin.exe" if os.name == "nt" else "fifowin"
    bundled = os.path.join(sysconfig.get_path("scripts"), name)
    if os.access(bundled, os.X_OK):
        return bundled
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise FifowinError("no fifowin binary: pip install fifowin, or set FIFOWIN_BIN")


def _duration(window: Window) -> str:
    """A window as `fifowin serve --dedup-window` reads it: text as given, numbers as seconds."""
    if isinstance(window, datetime.timedelta):
        return f"{round(window.total_seconds() * 1000)}ms"
    if isinstance(window, (int, float)):
        return f"{round(window * 1000)}ms"
    return window


class FifowinServer:
    """A fifowin server for a test run: `with FifowinServer(window="90s") as fw: ...`.

    `window` is the FIFO deduplication window ("5m", "90s", seconds as a number, or a
    timedelta); `clock` is "system" or "manual" (both move with `advance`); `args` are
    extra `fifowin serve` flags; `bin` (or $FIFOWIN_BIN) overrides the bundled binary.
    """

    def __init__(
        self,
        window: Window = "5m",
        clock: str = "system",
        args: Sequence[str] = (),
        bin: Optional[str] = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.window = _duration(window)
        self.clock = clock
        self.args = list(args)
        self.bin = bin
        self.startup_timeout = startup_timeout
        self.endpoint_url: Optional[str] = None
        self.port: Optional[int] = None
        self.version: Optional[str] = None
        self._proc: Optional[subprocess.Popen] = None
        self._dir: Optional[str] = None

    # --- lifecycle

    def start(self) -> "FifowinServer":
        """Launches the server and waits until it listens."""
        if self._proc is not None:
            raise FifowinError("this server is already started")
        binary = find_binary(self.bin)
        self._dir = tempfile.mkdtemp(prefix="fifowin-")
        ready = os.path.join(self._dir, "ready.json")
        log_path = os.path.join(self._dir, "server.log")
        cmd = [binary, "serve", "--port", "0", "--ready-file", ready,
               "--dedup-window", self.window, "--clock", self.clock, *self.args]
        try:
            with open(log_path, "wb") as log:
                self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        except OSError as err:
            self.stop()
            raise FifowinError(f"cannot run {binary}: {err}") from None
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout
        while not os.path.exists(ready):
            code = self._proc.poll()
            if code is not None or time.monotonic() > deadline:
                output = self._log_text()
                self.stop()
                why = f"exited with status {code}" if code is not None else \
                    f"did not listen within {self.startup_timeout} s"
                raise FifowinError(f"fifowin serve {why}: {output.strip()}")
            time.sleep(0.01)
        with open(ready, encoding="utf-8") as f:
            info = json.load(f)
        self.endpoint_url = info["url"]
        self.port = info["port"]
        self.version = info["version"]
        return self

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its files."""
        proc, self._proc = self._proc, None
        if proc is not None:
            atexit.unregister(self.stop)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> "FifowinServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc is not None else None

    def _log_text(self) -> str:
        try:
            with open(os.path.join(self._dir or "", "server.log"), encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # --- the control API

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        if self.endpoint_url is None or self._proc is None:
            raise FifowinError("the server is not running: call start() or use it as a context manager")
        data = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if data is not None else {}
        request = urllib.request.Request(self.endpoint_url + path, data=data, method=method, headers=headers)
        try:
            with _OPENER.open(request, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            raise FifowinError(f"{method} {path}: HTTP {err.code}: {detail}") from None
        except urllib.error.URLError as err:
            raise FifowinError(f"{method} {path}: {err.reason}") from None

    def health(self) -> Dict[str, Any]:
        """status, version, queues, dedup_window_ms, clock."""
        return self._call("GET", "/_fifowin/health")

    def advance(self, ms: int) -> int:
        """Moves the server clock forward by `ms` milliseconds; returns its new reading (ms since the epoch)."""
        return self._call("POST", "/_fifowin/clock/advance", {"ms": int(ms)})["now_ms"]

    def escapes(self) -> List[Dict[str, Any]]:
        """Duplicates accepted as new because their window had closed: dicts with
        queue, dedup_id, group_id, first_sent_ms, resent_ms, late_by_ms."""
        return self._call("GET", "/_fifowin/escapes")["escapes"]

    def add_fault(self, rule: Dict[str, Any]) -> int:
        """Adds a fault rule, e.g. {"operation": "SendMessage", "action": "fail_after_commit", "count": 1}; returns its id."""
        return self._call("POST", "/_fifowin/faults", rule)["id"]

    def faults(self) -> List[Dict[str, Any]]:
        """The fault rules, each with its id and `matched` / `fired` counts."""
        return self._call("GET", "/_fifowin/faults")["rules"]

    def clear_faults(self) -> int:
        """Removes every fault rule; returns how many there were."""
        return self._call("DELETE", "/_fifowin/faults")["removed"]

    def reset(self) -> Dict[str, Any]:
        """Drops every queue and fault rule (queues from a config file come back empty)."""
        return self._call("POST", "/_fifowin/reset")

    def dedup(self, queue: str) -> Dict[str, Any]:
        """A queue's live deduplication entries: window_ms, scope, count, entries."""
        return self._call("GET", f"/_fifowin/queues/{urllib.parse.quote(queue, safe='')}/dedup")

    def messages(self, queue: str, bodies: bool = False) -> Dict[str, Any]:
        """A queue's messages and their states: visible, in_flight, delayed, messages."""
        query = "?bodies=true" if bodies else ""
        return self._call("GET", f"/_fifowin/queues/{urllib.parse.quote(queue, safe='')}/messages{query}")
