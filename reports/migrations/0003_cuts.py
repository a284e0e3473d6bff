"""The rollups' cuts (docs/adr/0015): per row, how many of its sorted values lie below each
threshold, so the dashboard finds each median's bucket without sorting the period. Existing
rows get them from their sorted values (the thresholds of this migration, frozen here).

The data step only reads on a new, empty schema (so the schema recipe, docs/adr/0005, can
still be recorded: it refuses writes into tenant tables)."""

import django.contrib.postgres.fields
from django.db import migrations, models

_HOUR, _DAY = 3600, 86400
FINISH_CUTS = (*range(12 * _HOUR, 14 * _DAY + 1, 12 * _HOUR), 21 * _DAY, 30 * _DAY, 60 * _DAY,
               90 * _DAY)
WAIT_CUTS = (*range(300, 7201, 300), 3 * _HOUR, 4 * _HOUR, 6 * _HOUR, 8 * _HOUR)

_FILL = """
UPDATE {table} SET {cuts} = ARRAY(
    SELECT (SELECT count(*) FROM unnest({values}) AS v WHERE v < x.t)::int
    FROM unnest(%s::{kind}[]) WITH ORDINALITY AS x(t, i) ORDER BY x.i)
"""


def fill(apps, schema_editor):
    for model, cuts, values, kind, thresholds in (
        ("DailyFigures", "finish_cuts", "finish_seconds", "float8", FINISH_CUTS),
        ("QueueDailyFigures", "wait_cuts", "waits", "int", WAIT_CUTS),
    ):
        Model = apps.get_model("reports", model)
        if Model.objects.exists():
            quote = schema_editor.connection.ops.quote_name
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(_FILL.format(table=quote(Model._meta.db_table), cuts=cuts,
                                            values=values, kind=kind), [list(thresholds)])


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_queuedailyfigures'),
    ]

    operations = [
        migrations.AddField(
            model_name='dailyfigures',
            name='finish_cuts',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), blank=True, default=list, size=None),
        ),
        migrations.AddField(
            model_name='queuedailyfigures',
            name='wait_cuts',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), blank=True, default=list, size=None),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
