"""Send a Celery task after the current transaction commits, safely.

- The tenant schema is captured now and passed explicitly: a callback run at commit time
  would otherwise be stamped with whatever schema is active then (tenant-schemas-celery reads
  the connection when sending).
- A broker outage never turns a committed user action into an error page: the failure is
  logged and the caller's own retry path (resend button, periodic flush) picks it up.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    schema = connection.schema_name

    def _send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, headers={"_schema_name": schema})
        except Exception:
            logger.exception("Task %s was not dispatched (broker unavailable?)", task.name)

    transaction.on_commit(_send)
