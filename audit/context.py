"""Who is acting and from where, for audit rows written deep inside services.

- Web requests: `audit.middleware.AuditContextMiddleware` puts the request here; the user is
  read when a row is written (DRF authenticates inside the view and sets `request.user`).
  The address is `REMOTE_ADDR`, as everywhere in this project (accounts.ratelimit): the proxy
  in front must set it to the client's address; forwarded headers are never trusted here.
- Celery tasks: `task:<name>` for the duration of the task (task_prerun/task_postrun).
- Management commands: `cli:<command>` from the process arguments.
- Anything else: `system`, unless code says otherwise with :func:`acting_as`.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

_request_var: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_label_var: ContextVar[str] = ContextVar("audit_label", default="")

SYSTEM_LABEL = "system"


def client_ip(request: HttpRequest | None) -> str | None:
    """The request's address (REMOTE_ADDR) when it is a valid IP, else None."""
    if request is None:
        return None
    raw = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    token = _request_var.set(request)
    try:
        yield
    finally:
        _request_var.reset(token)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Name the actor of writes without a user, e.g. `with acting_as("cli:suspend_tenant")`."""
    token = _label_var.set(label)
    try:
        yield
    finally:
        _label_var.reset(token)


def current_request() -> HttpRequest | None:
    return _request_var.get()


def current_ip() -> str | None:
    return client_ip(_request_var.get())


def current_request_id() -> str:
    request = _request_var.get()
    return str(getattr(request, "request_id", "") or "")[:64] if request is not None else ""


def current_user() -> Any:
    """The authenticated user of the current request, or None."""
    request = _request_var.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False) and user.pk is not None:
        return user
    return None


def _command_label() -> str:
    argv = sys.argv or [""]
    program = os.path.basename(argv[0])
    if program in {"manage.py", "django-admin", "django-admin.py"} and len(argv) > 1:
        return f"cli:{argv[1]}"[:100]
    return ""


def current_label() -> str:
    """The label of a write without a user: an explicit one, the task, the command, system."""
    return _label_var.get() or _command_label() or SYSTEM_LABEL


# --------------------------------------------------------------------------- Celery

_task_tokens: dict[str, Any] = {}


def _task_started(task_id: str | None = None, task: Any = None, **_kwargs: Any) -> None:
    if task_id:
        _task_tokens[task_id] = _label_var.set(f"task:{getattr(task, 'name', 'unknown')}"[:100])


def _task_finished(task_id: str | None = None, **_kwargs: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        try:
            _label_var.reset(token)
        except ValueError:  # set in another context (eager task in a thread): just clear
            _label_var.set("")


def connect_task_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, dispatch_uid="audit-task-prerun", weak=False)
    task_postrun.connect(_task_finished, dispatch_uid="audit-task-postrun", weak=False)
