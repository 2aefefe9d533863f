"""Insight: the programme's targets (1a), the key-group share (2.1b) and progress against the calendar."""
