from django.conf import settings
from django.core.management.base import BaseCommand

from core.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo ministry user, demo tenants and their admins (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        for item in seed_demo():
            self.stdout.write(f"{item.role}: {item.login} / {settings.MPP_DEMO_PASSWORD}")
