"""The sanctions register (处理 / 黑名单, 6d): who is barred, from when to when, why, by which decision.

A low app: it imports only accounts, catalog and the shell, so every app that must ask "is this party
barred on this day?" (providers, funding, the engine's store) may read it, and risk, which decides
cases above funding, writes to it through `qiancheng.sanctions.services`.
"""
