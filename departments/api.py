"""REST API for departments that push exports automatically: upload and follow a run."""

from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from . import imports, selectors
from .importing.messages import describe
from .models import DataSource, ImportRun


class DataSourceSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")

    class Meta:
        model = DataSource
        fields = ["slug", "name", "department", "kind", "fachverfahren", "stage", "update_cycle"]


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
            "findings",
        ]

    def get_findings(self, run):
        user = self.context["request"].user
        return [
            {**data, "message": describe(imports.finding_from_dict(data))}
            for data in selectors.visible_findings(run, user)
        ]


class UploadSerializer(serializers.Serializer):
    source = serializers.SlugField()
    file = serializers.FileField()
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)


class DataSourceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DataSourceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.data_sources_for(self.request.user, "view")


class ImportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        runs = selectors.import_runs_for(self.request.user)
        source = self.request.query_params.get("source")
        return runs.filter(source__slug=source) if source else runs

    def create(self, request):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        source = get_object_or_404(
            selectors.data_sources_for(request.user, "upload"), slug=upload.validated_data["source"]
        )
        uploaded = upload.validated_data["file"]
        try:
            run = imports.submit_upload(
                source=source,
                uploaded_by=request.user,
                file_name=uploaded.name,
                chunks=uploaded.chunks(),
                sheet=upload.validated_data.get("sheet", ""),
            )
        except imports.ImportRejected as rejected:
            return Response({"detail": str(rejected)}, status=status.HTTP_400_BAD_REQUEST)
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)
