from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0002_schema_recipe'),
    ]

    operations = [
        migrations.AddField(
            model_name='schemarecipe',
            name='shape_digest',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
    ]
