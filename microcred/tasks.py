"""Project-level tasks."""

from celery import shared_task


# The next beat run is the retry: a failed sweep is not retried on its own.
@shared_task(name="microcred.tasks.sweep_outbox", autoretry_for=())
def sweep_outbox():
    """Every two minutes (beat): queue again the follow-up work whose task never ran, from the rows
    that record it (``microcred.outbox``). Safe to run at any time and twice: every task it queues
    is idempotent."""
    from . import health, outbox

    health.record_heartbeat()
    return outbox.sweep()
