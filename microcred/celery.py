"""The Celery application.

Every project task inherits :class:`ProjectTask`: late acknowledgement (a worker that dies mid-task
leaves the message for another) and automatic retries with exponential backoff, so a failed task is
retried and, once the retries are spent, logged as an error rather than silently dropped.
"""

import logging
import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")

logger = logging.getLogger("microcred.tasks")


class ProjectTask(Task):
    acks_late = True
    autoretry_for = (Exception,)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("Task %s[%s] failed for good: %r (args=%r)", self.name, task_id, exc, args)
        super().on_failure(exc, task_id, args, kwargs, einfo)


app = Celery("microcred", task_cls=ProjectTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
