"""REST API for departments that push exports automatically: upload and follow a run."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from bif.api.filters import ID_PATTERN, SearchField, query_filters

from . import selectors, uploads
from .importing.findings import from_stored
from .importing.messages import describe
from .models import DataSource, ImportRun


class DataSourceSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")

    class Meta:
        model = DataSource
        fields = ["slug", "name", "department", "kind", "fachverfahren", "stage", "update_cycle"]


class SourceCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    department = serializers.SlugField(max_length=20, help_text="Kürzel des Fachbereichs")
    # Text, not a second choice set of the same name: "aggregate" or "microdata".
    kind = serializers.RegexField(
        r"^(aggregate|microdata)$", max_length=20, help_text="aggregate | microdata"
    )
    schema = serializers.DictField(help_text="Table Schema (z. B. aus describe)")


class DataSourceFilters(serializers.Serializer):
    department = serializers.SlugField(
        required=False, max_length=20, help_text="Kürzel des Fachbereichs / department code"
    )
    stage = serializers.ChoiceField(choices=DataSource.Stage.choices, required=False)
    q = SearchField(help_text="Suche in Name, Fachverfahren, Kennung / search term")


class FindingSerializer(serializers.Serializer):
    """One finding of the checks: what is wrong, where and how often. Quoted values come
    from the uploader's own file; findings across sources are shown to the office only."""

    severity = serializers.CharField()
    rule = serializers.CharField()
    column = serializers.CharField(allow_null=True, required=False)
    count = serializers.IntegerField()
    rows = serializers.ListField(child=serializers.IntegerField(), required=False)
    values = serializers.ListField(child=serializers.CharField(), required=False)
    params = serializers.DictField(required=False)
    audience = serializers.CharField(required=False)
    message = serializers.CharField()


class ImportRunSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    findings = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "source",
            "file_name",
            "checksum",
            "size_bytes",
            "created_at",
            "finished_at",
            "status",
            "status_display",
            "stage",
            "progress",
            "rows_per_second",
            "row_count",
            "error_count",
            "warning_count",
            "message",
            "finding_counts",
            "findings",
        ]

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, run):
        user = self.context["request"].user
        return [
            {**data, "message": describe(from_stored(data))}
            for data in selectors.visible_findings(run, user)
        ]


class ImportRunFilters(serializers.Serializer):
    source = serializers.SlugField(
        required=False, max_length=60, help_text="Kennung der Datenquelle / data source slug"
    )
    status = serializers.ChoiceField(choices=ImportRun.Status.choices, required=False)


class UploadSerializer(serializers.Serializer):
    source = serializers.SlugField(max_length=60)
    file = serializers.FileField()
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)


@extend_schema_view(
    list=extend_schema(
        summary="Datenkatalog / data catalog",
        parameters=[DataSourceFilters],
        tags=["sources"],
    ),
    retrieve=extend_schema(summary="Eine Datenquelle / one data source", tags=["sources"]),
    create=extend_schema(
        summary="Datenquelle mit Schema anlegen / create a source with its schema",
        description="For the statistics office and the administration. The schema is a "
        "Table Schema, e.g. the one POST /sources/describe/ proposed.",
        request=SourceCreateSerializer,
        responses={201: DataSourceSerializer},
        tags=["sources"],
    ),
)
class DataSourceViewSet(viewsets.ReadOnlyModelViewSet):
    """The data catalog: names, owners and stages of the data sources (no data)."""

    serializer_class = DataSourceSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]{1,60}"

    def get_queryset(self):
        if self.action != "list":
            return selectors.data_sources_for(self.request.user, "view")
        filters = query_filters(DataSourceFilters, self.request)
        return selectors.catalog(
            self.request.user,
            department=filters.get("department"),
            stage=filters.get("stage"),
            query=filters.get("q"),
        )

    def create(self, request, *args, **kwargs):
        from .onboarding_api import create_source

        return create_source(request)


@extend_schema_view(
    list=extend_schema(
        summary="Importläufe / import runs",
        description="Runs of the sources you may upload to (department analysts) or hold a "
        "microdata grant for (statistics office); newest first.",
        parameters=[ImportRunFilters],
        tags=["imports"],
    ),
    retrieve=extend_schema(summary="Ein Importlauf / one import run", tags=["imports"]),
    create=extend_schema(
        summary="Export hochladen / upload an export",
        description="Queues an import run for a source of your department. The file is "
        "checked and loaded in the background; poll the run for its status and findings.",
        request=UploadSerializer,
        responses={201: ImportRunSerializer},
        tags=["imports"],
    ),
)
class ImportRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        runs = selectors.import_runs_for(self.request.user).order_by("-created_at", "-pk")
        if self.action != "list":
            return runs
        filters = query_filters(ImportRunFilters, self.request)
        if "source" in filters:
            runs = runs.filter(source__slug=filters["source"])
        if "status" in filters:
            runs = runs.filter(status=filters["status"])
        return runs

    def create(self, request, *args, **kwargs):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        source = get_object_or_404(
            selectors.data_sources_for(request.user, "upload"), slug=upload.validated_data["source"]
        )
        uploaded = upload.validated_data["file"]
        try:
            run = uploads.submit_upload(
                source=source,
                uploaded_by=request.user,
                file_name=uploaded.name,
                chunks=uploaded.chunks(),
                sheet=upload.validated_data.get("sheet", ""),
            )
        except uploads.ImportRejected as rejected:
            raise ValidationError({"file": [str(rejected)]})
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)
