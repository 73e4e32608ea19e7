"""The launcher and the plugin themselves, against the installed binary: start and
stop, flags reaching the server, errors that say what went wrong."""

import os
import stat

import pytest

from fifowin import FifowinError, FifowinServer

pytest_plugins = ["pytester"]


def test_the_context_manager_starts_a_server_with_the_given_window_and_stops_it():
    with FifowinServer(window=2, clock="manual") as fw:
        health = fw.health()
        assert health["dedup_window_ms"] == 2000
        assert health["clock"] == "manual"
        assert fw.endpoint_url == f"http://127.0.0.1:{fw.port}"
        pid = fw.pid
        os.kill(pid, 0)  # running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(FifowinError, match="not running"):
        fw.advance(1)


def test_a_server_that_refuses_its_flags_raises_with_its_message():
    with pytest.raises(FifowinError, match="--dedup-window must be greater than zero"):
        FifowinServer(window="0s").start()


def test_fifowin_bin_must_be_an_executable(tmp_path, monkeypatch):
    not_executable = tmp_path / "fifowin"
    not_executable.write_text("")
    not_executable.chmod(stat.S_IRUSR)
    monkeypatch.setenv("FIFOWIN_BIN", str(not_executable))
    with pytest.raises(FifowinError, match="is not an executable file"):
        FifowinServer().start()


def test_a_control_error_names_the_call_and_the_server_answer():
    with FifowinServer() as fw:
        with pytest.raises(FifowinError, match=r"POST /_fifowin/faults: HTTP 400: .*explode"):
            fw.add_fault({"operation": "SendMessage", "action": "explode"})
        with pytest.raises(FifowinError, match=r"HTTP 404"):
            fw.messages("no-such-queue")


def test_the_window_option_and_ini_key_reach_the_session_server(pytester, monkeypatch):
    pytester.makeini("[pytest]\nfifowin_window = 7s\n")
    pytester.makepyfile(
        """
        import os

        def test_window(fifowin_server, fifowin):
            assert fifowin is fifowin_server
            assert fifowin.health()["dedup_window_ms"] == int(os.environ["EXPECTED_WINDOW_MS"])
        """
    )
    monkeypatch.setenv("EXPECTED_WINDOW_MS", "7000")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    monkeypatch.setenv("EXPECTED_WINDOW_MS", "11000")
    pytester.runpytest_subprocess("--fifowin-window", "11s").assert_outcomes(passed=1)


def test_a_binary_that_cannot_run_raises_and_leaves_nothing_behind(tmp_path):
    broken = tmp_path / "fifowin"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(stat.S_IRWXU)
    server = FifowinServer(bin=str(broken))
    with pytest.raises(FifowinError, match="cannot run"):
        server.start()
    assert server.pid is None


def test_each_xdist_worker_runs_its_own_server(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("FIFOWIN_PORTS_DIR", str(tmp_path))
    pytester.makepyfile(
        """
        import os
        import time

        import pytest

        @pytest.mark.parametrize("i", range(4))
        def test_port(fifowin, worker_id, i):
            with open(os.path.join(os.environ["FIFOWIN_PORTS_DIR"], worker_id), "a") as f:
                f.write(f"{fifowin.port} {fifowin.pid}\\n")
            time.sleep(0.2)
        """
    )
    pytester.runpytest_subprocess("-n", "2").assert_outcomes(passed=4)
    servers = {worker: set((tmp_path / worker).read_text().splitlines()) for worker in ("gw0", "gw1")}
    # One server per worker for its whole session, and not the same one.
    assert all(len(seen) == 1 for seen in servers.values()), servers
    assert servers["gw0"] != servers["gw1"]
