"""The fifowin pytest plugin (entry point `pytest11`): a `fifowin_server` fixture, one
server per session (so one per pytest-xdist worker), and a `fifowin` fixture that is
the same server reset before the test."""

from __future__ import annotations

from typing import Iterator

import pytest

from fifowin._server import FifowinServer


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fifowin", "fifowin: local SQS with exact FIFO deduplication")
    group.addoption("--fifowin-window", dest="fifowin_window", default=None,
                    help="dedup window of the fifowin server, e.g. 90s (default: ini fifowin_window, else 5m)")
    group.addoption("--fifowin-bin", dest="fifowin_bin", default=None,
                    help="fifowin binary to run (default: ini fifowin_bin, $FIFOWIN_BIN, the bundled one)")
    parser.addini("fifowin_window", "dedup window of the fifowin server, e.g. 90s", default="5m")
    parser.addini("fifowin_bin", "fifowin binary to run instead of the bundled one", default="")


@pytest.fixture(scope="session")
def fifowin_server(request: pytest.FixtureRequest) -> Iterator[FifowinServer]:
    """One fifowin server for the test session, stopped at its end."""
    config = request.config
    window = config.getoption("fifowin_window") or config.getini("fifowin_window") or "5m"
    binary = config.getoption("fifowin_bin") or config.getini("fifowin_bin") or None
    with FifowinServer(window=window, bin=binary) as server:
        yield server


@pytest.fixture
def fifowin(fifowin_server: FifowinServer) -> FifowinServer:
    """The session's fifowin server, reset: no queues, no fault rules."""
    fifowin_server.reset()
    return fifowin_server
