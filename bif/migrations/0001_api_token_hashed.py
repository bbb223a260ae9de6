"""API tokens as hashes (issue 14). DRF's authtoken table stored the keys in plain text:
its keys are hashed into ApiToken (they keep working) and the table is dropped."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def hash_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if "authtoken_token" not in connection.introspection.table_names(cursor):
            return
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        plain = cursor.fetchall()
    ApiToken = apps.get_model("bif", "ApiToken")
    for key, user_id, created in plain:
        token = ApiToken.objects.create(
            user_id=user_id, digest=hashlib.sha256(key.encode()).hexdigest()
        )
        ApiToken.objects.filter(pk=token.pk).update(created=created)
    schema_editor.execute("DROP TABLE authtoken_token")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, unique=True, verbose_name='Prüfwert des Tokens (SHA-256)')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='erzeugt am')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='api_token', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API-Token',
                'verbose_name_plural': 'API-Tokens',
            },
        ),
        migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop),
    ]
