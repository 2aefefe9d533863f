"""The USCC check moved down to `qiancheng.catalog.uscc` so that enterprises (demand, a sibling of
providers) use the same one; this name stays for the modules that import it from here."""

from qiancheng.catalog.uscc import UsccCheck, UsccReason, check_uscc, normalise_uscc

__all__ = ["UsccCheck", "UsccReason", "check_uscc", "normalise_uscc"]
