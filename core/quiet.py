"""Quiet mode: run real services without emailing anyone (the demo's made-up history, benchmarks)."""

import contextlib
import contextvars

_quiet = contextvars.ContextVar("quiet_notifications", default=False)


@contextlib.contextmanager
def quietly():
    """Within the block, notifications are neither recorded nor sent."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet():
    return _quiet.get()
