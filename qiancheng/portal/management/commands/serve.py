"""`qiancheng serve`: the site on waitress, static files through WhiteNoise.

The same server runs `qiancheng demo`. Behind a reverse proxy in production, keep --host 127.0.0.1
and let the proxy terminate TLS (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
          announce: Any = print, with_worker: bool = True, workers: int | None = None) -> None:
    """Serve qiancheng.wsgi.application until interrupted, with a task worker beside it unless told not to.

    `workers` waitress processes share one listening socket (qiancheng.web.prefork; default: one per core, at
    least 2); with 1, waitress runs in this process as before."""
    import waitress

    from qiancheng.web import prefork

    workers = prefork.default_workers() if workers is None else workers
    collect_static()  # before the application loads: WhiteNoise indexes STATIC_ROOT when it starts
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if workers > 1:
        sock = prefork.bind(host, port)  # before anything is announced: a port in use fails here
        announce(f"前程 Qiancheng: http://{shown}:{port}/  ({workers} 个进程 / processes × {threads} threads; "
                 "Ctrl+C 停止 / to stop)")
        with worker_beside(announce) if with_worker else nullcontext():
            status = prefork.Supervisor(sock, workers, threads, announce).run()
        if status:
            raise CommandError("网站进程反复退出 / the server workers kept exiting", returncode=status)
        return
    from qiancheng.wsgi import application

    announce(f"前程 Qiancheng: http://{shown}:{port}/  (Ctrl+C 停止 / to stop)")
    with worker_beside(announce) if with_worker else nullcontext():
        waitress.serve(application, host=host, port=port, threads=threads, ident="qiancheng")


def serve_inherited(fd: int, threads: int) -> None:
    """One of `serve`'s worker processes: waitress on the listening socket the parent bound and passed down."""
    import waitress

    from qiancheng.web import prefork

    prefork.die_with_parent()
    sock = prefork.socket_from_fd(fd)
    from qiancheng.wsgi import application

    waitress.serve(application, sockets=[sock], threads=threads, ident="qiancheng")


class Command(BaseCommand):
    help = "运行网站 / serve the site (waitress + WhiteNoise)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=DEFAULT_HOST, help=f"监听地址 / address to listen on ({DEFAULT_HOST})")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"端口 / port ({DEFAULT_PORT})")
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                            help=f"工作线程数 / worker threads ({DEFAULT_THREADS})")
        parser.add_argument("--workers", type=int, default=None,
                            help="网站进程数（共用一个端口）/ server processes sharing the port (default: one per "
                                 "core, at least 2; 1 runs waitress in this process)")
        parser.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)  # a worker process
        parser.add_argument("--no-worker", action="store_true",
                            help="不在旁边启动后台任务进程（另行运行 qiancheng worker）/ do not start a task worker "
                                 "beside the site (run `qiancheng worker` yourself)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["listen_fd"] is not None:
            serve_inherited(options["listen_fd"], options["threads"])
            return
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers 至少为 1 / --workers must be at least 1")
        if not 0 < options["port"] < 65536:
            raise CommandError("--port 须在 1-65535 之间 / --port must be 1-65535")
        if options["threads"] < 1:
            raise CommandError("--threads 至少为 1 / --threads must be at least 1")
        if options["host"] not in ("127.0.0.1", "localhost", "::1") and settings.DEBUG:
            raise CommandError("调试模式下只能监听本机 / in debug mode, listen on 127.0.0.1 only")
        serve(options["host"], options["port"], options["threads"], announce=self.stdout.write,
              with_worker=not options["no_worker"], workers=options["workers"])
