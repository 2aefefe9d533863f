"""`qiancheng worker`: run the queued long work (roster checks, scans) off the request (ADR 0005).

`qiancheng serve` and `qiancheng demo` start one beside the site; in production run one or more under the
service manager (docs/operations.md). Stopping it with SIGTERM lets the task in hand finish.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiancheng.web.task_queue import queue_in_database, run_worker


class Command(BaseCommand):
    help = "运行后台任务（名册校验等）/ run the queued background tasks (roster checks, ...)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true",
                            help="队列清空后退出 / stop once the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="空闲时检查队列的间隔秒数 / seconds between looks at an empty queue (1.0)")
        parser.add_argument("--sole", action="store_true",
                            help="唯一的工作进程：启动时立即重新排队所有运行中的任务 / the only worker: requeue "
                                 "every running task at start (its worker died)")
        parser.add_argument("--parent-pid", type=int, default=None,
                            help="该进程结束时退出 / stop when this process is gone")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval 须大于 0 / --interval must be above 0")
        if not queue_in_database():
            raise CommandError("任务队列不在数据库中（QIANCHENG_TASK_BACKEND），无需工作进程 / the task queue is "
                               "not in the database (QIANCHENG_TASK_BACKEND): tasks run at once, no worker needed")
        run = run_worker(batch=options["batch"], interval=options["interval"], sole=options["sole"],
                         parent_pid=options["parent_pid"], handle_signals=True)
        if options["verbosity"] > 1 or run.reclaimed:
            self.stdout.write(f"重新排队 / requeued {run.reclaimed} 个中断的任务 / interrupted task(s)")
