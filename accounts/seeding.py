"""Demo content of the accounts app (core.discovery `seed_demo_platform`): the simulated
citizens whose applications, bookings and survey answers fill the demo tenants
(`seed_demo_activity` of applications, hall and feedback). They cannot sign in (unusable
password); the demo citizen who can is `core.demo.CITIZEN_EMAIL`. Idempotent."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_tenants.utils import schema_context

DEMO_CITIZENS_DOMAIN = "@warga.demo.mpp.id"
DEMO_CITIZEN_COUNT = 60
GIVEN = ("Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hendra", "Indah", "Joko",
         "Kartika", "Lestari", "Made", "Nur", "Putu", "Rina", "Sari", "Teguh", "Wayan", "Yusuf")
FAMILY = ("Santoso", "Wijaya", "Pratama", "Lestari", "Saputra", "Hidayat", "Kusuma", "Siregar",
          "Nugroho", "Rahman", "Pattiasina", "Wenda")


def seed_demo_platform() -> None:
    from .models import User

    now = timezone.now()
    password = make_password(None)
    with schema_context("public"):
        User.objects.bulk_create([
            User(email=f"warga{n:02d}{DEMO_CITIZENS_DOMAIN}", password=password,
                 full_name=f"{GIVEN[n % len(GIVEN)]} {FAMILY[n % len(FAMILY)]}",
                 email_verified_at=now)
            for n in range(1, DEMO_CITIZEN_COUNT + 1)
        ], ignore_conflicts=True)
