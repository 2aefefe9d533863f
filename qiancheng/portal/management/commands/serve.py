"""`qiancheng serve`: the site on waitress, static files through WhiteNoise.

The same server runs `qiancheng demo`. Behind a reverse proxy in production, keep --host 127.0.0.1
and let the proxy terminate TLS (docs/operations.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 8


def collect_static() -> None:
    """Copy static files into STATIC_ROOT (the data folder's static/); unchanged files are skipped."""
    call_command("collectstatic", interactive=False, verbosity=0)


@contextmanager
def worker_beside(announce: Any) -> Iterator[None]:
    """One `qiancheng worker` process next to the site while it runs, when the task queue is in the database:
    a process of its own, so a long roster check uses the second core and not the site's threads. It is the
    sole worker (it requeues what a killed predecessor left running) and stops when the site does."""
    from qiancheng.web.task_queue import queue_in_database

    if not queue_in_database():
        yield
        return
    worker = subprocess.Popen([sys.executable, "-m", "qiancheng", "worker", "--sole", "--parent-pid", str(os.getpid())],
                              env=os.environ.copy())
    announce(f"后台任务进程 / background worker: pid {worker.pid}")
    try:
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, threads: int = DEFAULT_THREADS,
          announce: Any = print, with_worker: bool = True) -> None:
    """Serve qiancheng.wsgi.application until interrupted, with a task worker beside it unless told not to."""
    import waitress

    collect_static()  # before the application loads: WhiteNoise indexes STATIC_ROOT when it starts
    from qiancheng.wsgi import application

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    announce(f"前程 Qiancheng: http://{shown}:{port}/  (Ctrl+C 停止 / to stop)")
    if not with_worker:
        waitress.serve(application, host=host, port=port, threads=threads, ident="qiancheng")
        return
    with worker_beside(announce):
        waitress.serve(application, host=host, port=port, threads=threads, ident="qiancheng")


class Command(BaseCommand):
    help = "运行网站 / serve the site (waitress + WhiteNoise)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=DEFAULT_HOST, help=f"监听地址 / address to listen on ({DEFAULT_HOST})")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"端口 / port ({DEFAULT_PORT})")
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                            help=f"工作线程数 / worker threads ({DEFAULT_THREADS})")
        parser.add_argument("--no-worker", action="store_true",
                            help="不在旁边启动后台任务进程（另行运行 qiancheng worker）/ do not start a task worker "
                                 "beside the site (run `qiancheng worker` yourself)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError("--port 须在 1-65535 之间 / --port must be 1-65535")
        if options["threads"] < 1:
            raise CommandError("--threads 至少为 1 / --threads must be at least 1")
        if options["host"] not in ("127.0.0.1", "localhost", "::1") and settings.DEBUG:
            raise CommandError("调试模式下只能监听本机 / in debug mode, listen on 127.0.0.1 only")
        serve(options["host"], options["port"], options["threads"], announce=self.stdout.write,
              with_worker=not options["no_worker"])
