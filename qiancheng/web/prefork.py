"""`qiancheng serve --workers N`: one listening socket, N waitress processes accepting on it.

One waitress process is one Python interpreter, so every request shares one GIL: deciding a claim, building
a page and hashing an audit entry all wait for each other, and the second core idles (bench/README.md,
"Online under load"). Here the parent binds the address once and starts N children, each running waitress
with its threads on that same socket (`waitress.serve(app, sockets=[sock])`); the kernel hands each new
connection to one child that is waiting in accept().

The children are started as new interpreters (`python -m qiancheng serve --listen-fd FD`, the socket passed
as an inherited descriptor), not forked from the parent: the parent has loaded Django and may have used
Polars, whose thread pool does not survive fork(), and a forked child would share the parent's database
connections. Each child loads the application itself (a few seconds, once).

Children are not restarted silently. A child that exits while the server is running is reported with its
exit status and started again, with a log line, unless children have died more than
`MAX_DEATHS_PER_MINUTE` times in the last minute (a crash loop: the application cannot start), in which case
the server stops every child and exits with status 1, so that the service manager (systemd) sees the failure.
SIGTERM, SIGINT and SIGHUP to the parent are passed on to every child as SIGTERM; the parent waits for them
(at most `STOP_SECONDS`, then kills what is left) and exits 0.

The database: PostgreSQL serves any number of processes. SQLite (the demo) is one file with one writer at a
time: the settings open it in WAL mode (readers do not wait for the writer), begin every transaction
IMMEDIATE (a writer takes the lock at the start, never half-way, so two processes cannot deadlock upgrading
a read lock) and wait up to 30 s for the lock (`timeout`), so writes from two processes queue, one at a time.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from types import FrameType

MAX_DEATHS_PER_MINUTE = 5
STOP_SECONDS = 30
LISTEN_BACKLOG = 1024
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """The number of cores this process may use, at least 2 (so that two requests never share one GIL)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound once, inheritable by the children."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(LISTEN_BACKLOG)
    sock.set_inheritable(True)
    return sock


def socket_from_fd(fd: int) -> socket.socket:
    """In a child: the parent's listening socket, from its inherited descriptor."""
    return socket.socket(fileno=fd)


def die_with_parent() -> None:
    """In a child: SIGTERM when the parent dies, even by SIGKILL (Linux), so no orphan keeps serving."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """The parent: starts the children on the socket, watches them, passes signals on."""

    def __init__(self, sock: socket.socket, workers: int, threads: int, announce: Callable[[str], object],
                 argv: list[str] | None = None) -> None:
        self.sock = sock
        self.workers = workers
        self.threads = threads
        self.announce = announce
        self.argv = argv or [sys.executable, "-m", "qiancheng", "serve"]
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.deaths: deque[float] = deque()
        self.stopping = False

    def _start_one(self) -> None:
        fd = self.sock.fileno()
        child = subprocess.Popen([*self.argv, "--listen-fd", str(fd), "--threads", str(self.threads)],
                                 pass_fds=(fd,), env=os.environ.copy())
        self.children[child.pid] = child
        self.announce(f"网站进程 / server worker: pid {child.pid}")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        """Serve until a signal; the exit status of the whole server."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
        try:
            for _ in range(self.workers):
                self._start_one()
            while not self.stopping:
                status = self._reap()
                if status is not None:
                    return status
                time.sleep(0.2)
            return 0
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _reap(self) -> int | None:
        """Notice children that exited: start each again, or give up (1) on a crash loop."""
        for pid, child in list(self.children.items()):
            code = child.poll()
            if code is None or self.stopping:
                continue
            del self.children[pid]
            now = time.monotonic()
            self.deaths.append(now)
            while self.deaths and now - self.deaths[0] > 60:
                self.deaths.popleft()
            self.announce(f"网站进程 pid {pid} 已退出（状态 {code}）/ server worker pid {pid} exited with status {code}")
            if len(self.deaths) > MAX_DEATHS_PER_MINUTE:
                self.announce(f"一分钟内进程退出{len(self.deaths)}次，停止服务 / {len(self.deaths)} server workers "
                              "exited within a minute: stopping the server (exit status 1)")
                return 1
            self.announce(f"重新启动网站进程 / starting a server worker again in place of pid {pid}")
            self._start_one()
        return None

    def _stop_children(self) -> None:
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children.clear()
