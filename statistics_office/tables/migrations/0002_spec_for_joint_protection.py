"""Each computation and publication keeps the definition it was computed with and its data
versions, so that joint protection can rebuild the record set of every published cell."""

from django.db import migrations, models

SPEC_FIELDS = ("dimensions", "filters", "measure", "measure_field", "method", "parameters")


def backfill(apps, schema_editor):
    Computation = apps.get_model("tables", "TableComputation")
    Published = apps.get_model("tables", "PublishedTable")
    for computation in Computation.objects.select_related("definition"):
        definition = computation.definition
        computation.spec = {name: getattr(definition, name) for name in SPEC_FIELDS}
        computation.save(update_fields=["spec"])
    for published in Published.objects.select_related("computation"):
        Published.objects.filter(pk=published.pk).update(
            spec=published.computation.spec,
            import_run_ids=published.computation.import_run_ids,
        )


class Migration(migrations.Migration):
    dependencies = [("tables", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="tablecomputation",
            name="spec",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="Definition zum Zeitpunkt der Berechnung"
            ),
        ),
        migrations.AddField(
            model_name="publishedtable",
            name="spec",
            field=models.JSONField(blank=True, default=dict, verbose_name="Definition"),
        ),
        migrations.AddField(
            model_name="publishedtable",
            name="import_run_ids",
            field=models.JSONField(
                blank=True, default=list, verbose_name="Datenstände (Importläufe)"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
