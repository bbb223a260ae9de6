"""REST API: published tables for every logged-in person (JSON or CSV); defining and
computing tables for the statistics office (others get 404)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from departments.models import DataSource

from . import exports, selectors, services
from .models import PublishedTable, TableComputation, TableDefinition


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` through content negotiation; the view builds the file itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


def csv_response(table):
    response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(table, "csv")}"'
    return response


class PublishedTableSummarySerializer(serializers.ModelSerializer):
    definition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PublishedTable
        fields = [
            "id",
            "definition",
            "version",
            "title",
            "reference_date",
            "published_at",
            "method",
            "measure",
            "measure_label",
            "suppression_count",
            "sources_label",
            "url",
        ]

    def get_url(self, obj):
        return obj.get_absolute_url()


class PublishedTableSerializer(PublishedTableSummarySerializer):
    legend = serializers.SerializerMethodField()
    method_text = serializers.SerializerMethodField()
    secret_sign = serializers.SerializerMethodField()
    zero_sign = serializers.SerializerMethodField()

    class Meta(PublishedTableSummarySerializer.Meta):
        fields = [
            *PublishedTableSummarySerializer.Meta.fields,
            "description",
            "parameters",
            "dimensions",
            "cells",
            "legend",
            "method_text",
            "secret_sign",
            "zero_sign",
        ]

    def get_legend(self, obj):
        return exports.legend()

    def get_method_text(self, obj):
        return exports.method_text(obj.method, obj.parameters)

    def get_secret_sign(self, obj):
        return exports.secret_sign()

    def get_zero_sign(self, obj):
        return exports.ZERO_SIGN


class PublishedTableList(generics.ListAPIView):
    serializer_class = PublishedTableSummarySerializer

    def get_queryset(self):
        return selectors.latest_published_for(self.request.user).select_related("definition")


class PublishedTableDetail(generics.RetrieveAPIView):
    serializer_class = PublishedTableSerializer
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def get_queryset(self):
        return selectors.published_tables_for(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        table = self.get_object()
        if request.accepted_renderer.format == "csv":
            return csv_response(table)
        return Response(self.get_serializer(table).data)


class PublishedTableCSV(APIView):
    def get(self, request, pk):
        table = selectors.published_tables_for(request.user).filter(pk=pk).first()
        if table is None:
            raise NotFound
        return csv_response(table)


def _statistician_only(request):
    if not selectors.is_statistician(request.user):
        raise NotFound


class DefinitionSerializer(serializers.ModelSerializer):
    sources = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=DataSource.objects.all()
    )

    class Meta:
        model = TableDefinition
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "sources",
            "filters",
            "dimensions",
            "measure",
            "measure_field",
            "method",
            "parameters",
            "reference_runs",
            "auto_publish",
            "status",
        ]
        read_only_fields = ["id", "status"]
        extra_kwargs = {"slug": {"required": False}}


class ComputationSerializer(serializers.ModelSerializer):
    class Meta:
        model = TableComputation
        fields = [
            "id",
            "definition",
            "status",
            "progress",
            "message",
            "computed_at",
            "reference_date",
            "audit_passed",
            "stats",
            "dimensions",
            "cells",
        ]


class DefinitionListCreate(APIView):
    def get(self, request):
        _statistician_only(request)
        definitions = selectors.definitions_for(request.user).order_by("title")
        return Response(DefinitionSerializer(definitions, many=True).data)

    def post(self, request):
        _statistician_only(request)
        serializer = DefinitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        sources = data.pop("sources")
        try:
            definition = services.save_definition(user=request.user, sources=sources, **data)
        except services.TableError as exc:
            raise ValidationError({"detail": str(exc)})
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        return Response(DefinitionSerializer(definition).data, status=status.HTTP_201_CREATED)


class DefinitionCompute(APIView):
    def post(self, request, pk):
        _statistician_only(request)
        definition = selectors.definitions_for(request.user).filter(pk=pk).first()
        if definition is None:
            raise NotFound
        try:
            computation = services.request_computation(definition, request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        computation.refresh_from_db()
        return Response(ComputationSerializer(computation).data, status=status.HTTP_202_ACCEPTED)


class ComputationDetail(APIView):
    def get(self, request, pk):
        _statistician_only(request)
        computation = selectors.computations_for(request.user).filter(pk=pk).first()
        if computation is None:
            raise NotFound
        return Response(ComputationSerializer(computation).data)
