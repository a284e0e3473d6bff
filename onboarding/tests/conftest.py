from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BOYOLALI = "33.09"


@pytest.fixture(autouse=True)
def _private_dir(settings, tmp_path):
    """Letters and uploads go to a throwaway DATA_DIR."""
    settings.DATA_DIR = tmp_path


def letter(data: bytes = PDF, name: str = "surat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


def form_data(**overrides):
    data = {
        "regency_query": "boyolali",
        "region_code": BOYOLALI,
        "officer_name": "Siti Rahayu",
        "officer_position": "Kepala DPMPTSP",
        "officer_email": "siti@boyolali.go.id",
        "officer_phone": "0276 321 000",
        "letter": letter(),
        "password1": "Sangat-rahasia-2026",
        "password2": "Sangat-rahasia-2026",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ministry_admin(user_factory):
    return user_factory(ministry_role="admin")


@pytest.fixture
def ministry_viewer(user_factory):
    return user_factory(ministry_role="viewer")


@pytest.fixture
def verified_registration(db):
    """A Boyolali registration whose email is verified (pending ministry approval)."""
    from django.core import signing

    from onboarding.services import VERIFY_SALT, registration_create, registration_verify_email

    data = form_data()
    registration = registration_create(
        region_code=data["region_code"], officer_name=data["officer_name"],
        officer_position=data["officer_position"], officer_email=data["officer_email"],
        officer_phone=data["officer_phone"], letter=data["letter"], password=data["password1"],
    )
    return registration_verify_email(token=signing.dumps(registration.pk, salt=VERIFY_SALT))
