# The per-tenant vault becomes this regency's copies of attached vault documents
# (docs/adr/0013): the table is renamed and names the vault document it copies.

import applications.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0006_step_breaches'),
        ('vault', '0001_initial'),
    ]

    operations = [
        migrations.RenameModel(old_name='VaultDocument', new_name='AttachedDocument'),
        migrations.AlterModelOptions(
            name='attacheddocument',
            options={'ordering': ['-created_at'], 'verbose_name': 'dokumen terlampir',
                     'verbose_name_plural': 'dokumen terlampir'},
        ),
        migrations.AddField(
            model_name='attacheddocument',
            name='source_document_id',
            field=models.IntegerField(blank=True, null=True, verbose_name='dokumen brankas'),
        ),
        migrations.AlterField(
            model_name='attacheddocument',
            name='file',
            field=models.FileField(max_length=200, upload_to=applications.models.attachment_upload_to),
        ),
        migrations.AddConstraint(
            model_name='attacheddocument',
            constraint=models.UniqueConstraint(fields=('source_document_id',), name='attached_source_unique'),
        ),
    ]
