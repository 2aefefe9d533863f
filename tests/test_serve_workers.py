"""`qiancheng serve --workers 2` as an operator runs it: a real process on a free port, on SQLite.

One listening socket bound by the parent, two waitress processes accepting on it (qiancheng.web.prefork).
A worker that dies is named and started again; SIGTERM stops the whole server and exits 0; a crash loop
stops the server with status 1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qiancheng.web.prefork import MAX_DEATHS_PER_MINUTE, Supervisor, bind


def child_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "QIANCHENG_DATA_DIR")}
    env["QIANCHENG_DATA_DIR"] = str(data_dir)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status


def workers_of(pid: int) -> list[int]:
    """The server's worker processes: its children started with --listen-fd."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"--listen-fd" in args:
            found.append(int(entry.name))
    return sorted(found)


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serve-data")
    result = subprocess.run([sys.executable, "-m", "qiancheng", "migrate", "-v", "0"], capture_output=True,
                            text=True, timeout=900, env=child_env(folder))
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def test_two_workers_share_the_port_a_dead_one_is_replaced_and_sigterm_stops_all(data_dir: Path) -> None:
    port = free_port()
    log = data_dir / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "qiancheng", "serve", "--port", str(port), "--workers", "2",
                                   "--threads", "2", "--no-worker"], stdout=out, stderr=subprocess.STDOUT,
                                  env=child_env(data_dir))
    try:
        url = f"http://127.0.0.1:{port}/login/"
        wait_until(lambda: server.poll() is None and fetch(url) == 200, 600, f"the server answers\n{log.read_text()}")
        first = wait_until(lambda: len(workers_of(server.pid)) == 2 and workers_of(server.pid), 120,
                           "two worker processes")
        assert all(fetch(url) == 200 for _ in range(8))

        os.kill(first[0], signal.SIGKILL)
        replaced = wait_until(lambda: (found := workers_of(server.pid)) and len(found) == 2 and first[0] not in found
                              and found, 120, f"a worker in place of the killed one\n{log.read_text()}")
        assert first[1] in replaced
        text = log.read_text()
        assert f"server worker pid {first[0]} exited with status -9" in text
        assert f"starting a server worker again in place of pid {first[0]}" in text
        wait_until(lambda: fetch(url) == 200, 300, "the server answers after the replacement")

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert not any(Path(f"/proc/{pid}").exists() and b"--listen-fd" in Path(f"/proc/{pid}/cmdline").read_bytes()
                       for pid in replaced)
        with pytest.raises(OSError):
            fetch(url)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_crash_loop_stops_the_server_with_status_1() -> None:
    said: list[str] = []
    sock = bind("127.0.0.1", 0)
    try:
        # A "worker" that exits at once, every time: the supervisor restarts it a few times, then gives up.
        status = Supervisor(sock, 1, 1, said.append, argv=[sys.executable, "-c", "import sys; sys.exit(3)"]).run()
    finally:
        sock.close()
    assert status == 1
    assert sum("exited with status 3" in line for line in said) == MAX_DEATHS_PER_MINUTE + 1
    assert "stopping the server (exit status 1)" in said[-1]
