"""Copy files left by a submission that rolled back (docs/adr/0013) are swept: only files no
row names, only once older than the grace period, only in the current tenant's folder."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from applications.attachments import ATTACHMENT_DIR, ORPHAN_GRACE, attachment_orphans_delete
from applications.models import AttachedDocument
from applications.services import application_submit
from applications.tests.conftest import kk_form_data

LATER = ORPHAN_GRACE + dt.timedelta(minutes=1)


def _files() -> set[str]:
    try:
        return {f"{ATTACHMENT_DIR}/{name}" for name in default_storage.listdir(ATTACHMENT_DIR)[1]}
    except FileNotFoundError:
        return set()


def test_a_copy_left_by_a_failed_submission_is_swept_after_the_grace_period(
    citizen, kk_offering, vault_docs, tenant_a, in_tenant, monkeypatch
):
    def fail(**_kwargs):
        raise RuntimeError("the vault is down")

    monkeypatch.setattr("applications.attachments.shares_record", fail)
    with in_tenant(tenant_a):
        before = _files()
        with pytest.raises(RuntimeError):
            application_submit(
                applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=kk_offering,
                form_data=kk_form_data(), documents=vault_docs, share_consent=True)
        assert not AttachedDocument.objects.filter(owner_id=citizen.pk).exists()
        left = _files() - before
        assert len(left) == 2  # the two copies were written, their rows rolled back
        # too young: they might belong to a submission still running (files older than the
        # grace left by earlier runs of the suite in the test media folder may go now)
        assert not (set(attachment_orphans_delete()) & left)
        assert _files() >= left
        removed = attachment_orphans_delete(now=timezone.now() + LATER)
        assert set(removed) >= left
        assert not (_files() & left)
        assert attachment_orphans_delete(now=timezone.now() + LATER) == []  # idempotent
        # (the first sweep with LATER took every file without a row in this folder)


def test_copies_with_a_row_and_other_tenants_files_are_kept(
    submit_kk, citizen, tenant_a, tenant_b, in_tenant
):
    submit_kk()
    with in_tenant(tenant_b):
        stray_b = default_storage.save(f"{ATTACHMENT_DIR}/stray-{uuid.uuid4().hex}.pdf",
                                       ContentFile(b"%PDF-1.4 stray"))
    with in_tenant(tenant_a):
        kept = set(AttachedDocument.objects.filter(owner_id=citizen.pk)
                   .values_list("file", flat=True))
        assert len(kept) == 2
        removed = set(attachment_orphans_delete(now=timezone.now() + LATER))
        assert not (removed & kept)
        assert all(default_storage.exists(name) for name in kept)
        assert stray_b not in removed
    with in_tenant(tenant_b):
        assert default_storage.exists(stray_b)  # tenant A's sweep never lists B's folder
        assert stray_b in attachment_orphans_delete(now=timezone.now() + LATER)
        assert not default_storage.exists(stray_b)
