"""Celery tasks of accounts: thin, take ids, bounded retries."""

from __future__ import annotations

import smtplib

from celery import shared_task

from .sms import SmsSendError


@shared_task(
    acks_late=True, autoretry_for=(SmsSendError, smtplib.SMTPException, OSError),
    max_retries=3, retry_backoff=True, retry_backoff_max=60,
)
def send_one_time_code_task(code_id: int) -> str:
    from .services import one_time_code_deliver

    return one_time_code_deliver(code_id=code_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True,
             retry_backoff_max=600)
def account_erasure_task(erasure_id: int) -> str:
    """Idempotent: schemas already done are skipped, a finished request is a no-op."""
    from .erasure import account_erasure_run

    return account_erasure_run(erasure_id=erasure_id).state


@shared_task(
    acks_late=True, autoretry_for=(SmsSendError, smtplib.SMTPException, OSError),
    max_retries=3, retry_backoff=True, retry_backoff_max=60,
)
def send_account_notice_task(user_id: int, channel: str, kind: str) -> str:
    from .services import account_notice_deliver

    return account_notice_deliver(user_id=user_id, channel=channel, kind=kind)
