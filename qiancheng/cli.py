"""The `qiancheng` command.

`qiancheng check` and `qiancheng explain` decide claims from exchange files and need no database,
so they run without starting Django. Every other word is a Django management command
(`qiancheng migrate`, `qiancheng demo`, `qiancheng serve`, `qiancheng synth`, ...).
Django's own system check stays reachable as `qiancheng systemcheck`.
"""

from __future__ import annotations

import os
import sys

FILE_COMMANDS = {"check", "explain"}
RENAMED = {"systemcheck": "check"}


def _take_data_dir(argv: list[str]) -> list[str]:
    """Remove `--data-dir X` / `--data-dir=X` from argv and export it for settings."""
    rest: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--data-dir":
            if index + 1 >= len(argv):
                sys.exit("qiancheng: --data-dir needs a folder / --data-dir 需要一个文件夹")
            os.environ["QIANCHENG_DATA_DIR"] = argv[index + 1]
            index += 2
            continue
        if arg.startswith("--data-dir="):
            os.environ["QIANCHENG_DATA_DIR"] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        index += 1
    return rest


def main(argv: list[str] | None = None) -> None:
    args = _take_data_dir(list(sys.argv[1:] if argv is None else argv))
    if args and args[0] in FILE_COMMANDS:
        # Before Polars loads: its allocator (jemalloc) returns freed pages within a second and keeps one
        # arena, so a batch decided partition by partition holds one partition's memory, not every one's.
        # (Returning them at once, dirty_decay_ms:0, cost 3.4 s of system time in 16 s at 1 M claims.)
        os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:1")
        from qiancheng.policy.commandline import main as policy_main

        sys.exit(policy_main(args))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    from django.core.management import execute_from_command_line

    if args and args[0] in RENAMED:
        args[0] = RENAMED[args[0]]
    execute_from_command_line(["qiancheng", *args])


if __name__ == "__main__":
    main()
