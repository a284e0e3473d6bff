"""``Ticket.updated_at`` (the dashboard's queue rollups, docs/adr/0014): existing rows get
their last known change (finished, cancelled, started, called, queued, else created).

The data step only reads on a new, empty schema (so the schema recipe, docs/adr/0005, can
still be recorded: it refuses writes into tenant tables)."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def last_change(apps, schema_editor):
    Ticket = apps.get_model("hall", "Ticket")
    if Ticket.objects.exists():
        Ticket.objects.update(updated_at=Coalesce(
            "finished_at", "cancelled_at", "started_at", "called_at", "queued_at", "created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('hall', '0002_counter_booking_ticket'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(last_change, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['day', 'updated_at'], name='ticket_day_updated_idx'),
        ),
    ]
