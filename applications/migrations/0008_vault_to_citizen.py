# Data: every per-tenant vault row goes to the citizen's vault (public schema), applications
# name vault ids, attached rows stay as this regency's copies (docs/adr/0013).

from django.db import migrations


def forwards(apps, schema_editor):
    from applications.legacy_vault import migrate_tenant_vault

    migrate_tenant_vault(apps=apps, connection=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0007_attached_documents'),
        ('vault', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
