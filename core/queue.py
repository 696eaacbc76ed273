"""Queueing a task without ever failing the request (or the task) that asks for it.

Every task queued after a commit goes through :func:`enqueue`. The work it stands for is already on
record in the database (an unsent notification, a pending award …), so a broker that cannot be
reached costs nothing but time: the warning is logged, the caller carries on, and the outbox sweep
(:mod:`microcred.outbox`) finds the row and queues the task again once the broker is back.
"""

import logging
import time

from celery import current_app

logger = logging.getLogger("microcred.tasks")

# After a publish has failed, this process does not try the broker again for this long: a request
# that queues many tasks (one email per reviewer) answers at once instead of waiting on a dead
# broker for each of them. What it skips waits in the outbox like the rest.
PAUSE_AFTER_FAILURE_SECONDS = 10

_paused_until = 0.0


def enqueue(task, *args):
    """Queue ``task`` (a task, or its registered name) with ``args``; return whether it was queued.

    Never raises: when the broker cannot be reached (kombu's OperationalError, redis's
    ConnectionError, or anything else the publish raises), a warning is logged and False returned.
    With no broker configured the task runs here and now, as every task does then; its errors are
    raised only where the developer asked for it (``CELERY_TASK_EAGER_PROPAGATES``)."""
    global _paused_until
    conf = current_app.conf
    name = task if isinstance(task, str) else task.name
    if not conf.task_always_eager and time.monotonic() < _paused_until:
        logger.warning(
            "Not queueing %s%s: the broker was unreachable moments ago; the outbox sweep will.",
            name,
            _shown(args),
        )
        return False
    try:
        (current_app.tasks[task] if isinstance(task, str) else task).delay(*args)
    except Exception:
        if conf.task_always_eager and conf.task_eager_propagates:
            raise
        if not conf.task_always_eager:
            _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_SECONDS
        logger.warning("Could not queue %s%s; the outbox sweep will.", name, _shown(args), exc_info=True)
        return False
    return True


def _shown(args):
    """The arguments as the log shows them: row ids in full; anything else (an email's text, which
    may hold a confirmation or reset link) only counted."""
    if all(isinstance(arg, int) for arg in args):
        return repr(args)
    return f"(…{len(args)} arguments, not logged)"
