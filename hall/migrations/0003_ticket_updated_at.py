"""``Ticket.updated_at`` (the dashboard's queue rollups, docs/adr/0014): existing rows get
their last known change (finished, cancelled, started, called, queued, else created)."""

import django.utils.timezone
from django.db import migrations, models


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
        migrations.RunSQL(
            "UPDATE hall_ticket SET updated_at = COALESCE(finished_at, cancelled_at, started_at, "
            "called_at, queued_at, created_at)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['day', 'updated_at'], name='ticket_day_updated_idx'),
        ),
    ]
