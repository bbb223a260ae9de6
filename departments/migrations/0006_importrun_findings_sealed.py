"""Findings and profiles of import runs leave the portal database (issue 14): they quote
values from single records. What stays is how many findings of each rule a run had.

Existing findings and profiles are dropped, not moved: the portal's migration cannot write
to the sealed database. The first import after the upgrade has no previous profile to be
compared with (no distribution warnings once); runs already finished keep their counts.
"""

from collections import Counter

from django.db import migrations, models


def count_findings(apps, schema_editor):
    ImportRun = apps.get_model("departments", "ImportRun")
    for run in ImportRun.objects.exclude(findings=[]).only("pk", "findings"):
        counts = dict(Counter(f.get("rule") for f in run.findings or []))
        ImportRun.objects.filter(pk=run.pk).update(finding_counts=counts)


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0005_importrun_heartbeat_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="finding_counts",
            field=models.JSONField(blank=True, default=dict, verbose_name="Befunde je Regel"),
        ),
        migrations.RunPython(count_findings, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importrun", name="findings"),
        migrations.RemoveField(model_name="importrun", name="profile"),
    ]
