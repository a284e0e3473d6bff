from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0008_vault_to_citizen'),
    ]

    operations = [
        migrations.RemoveField(model_name='attacheddocument', name='deleted_at'),
    ]
