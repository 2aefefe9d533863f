"""The page shell every app builds on: navigation, queues, refusals, the base template, tabular files.

It is the layer just above `accounts`: apps import it, it imports no app (the import-linter contract in
pyproject.toml holds that).
"""
