"""REST API: published tables for every logged-in person (JSON or CSV); defining and
computing tables for the statistics office (others get 404)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from bif.api.filters import SearchField, query_filters
from departments.models import DataSource

from . import exports, selectors, services
from .models import PublishedTable, TableComputation, TableDefinition

CSV_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR,
    description="Semikolon-CSV (UTF-8 mit BOM) mit Zeichenerklärung und Quelle / "
    "semicolon CSV with legend and source",
)


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

    def get_url(self, obj) -> str:
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

    def get_legend(self, obj) -> list[str]:
        return [str(line) for line in exports.legend(obj.method, obj.parameters, obj.cells)]

    def get_method_text(self, obj) -> str:
        return str(exports.method_text(obj.method, obj.parameters))

    def get_secret_sign(self, obj) -> str:
        return exports.secret_sign()

    def get_zero_sign(self, obj) -> str:
        return exports.ZERO_SIGN


class PublishedTableFilters(serializers.Serializer):
    definition = serializers.SlugField(
        required=False, max_length=80, help_text="Kennung der Tabelle / table slug"
    )
    q = SearchField(help_text="Suche im Titel / search in the title")


@extend_schema(
    summary="Veröffentlichte Tabellen / published tables",
    description="The newest version of each published table (cells omitted; see the detail).",
    parameters=[PublishedTableFilters],
    tags=["tables"],
)
class PublishedTableList(generics.ListAPIView):
    serializer_class = PublishedTableSummarySerializer

    def get_queryset(self):
        filters = query_filters(PublishedTableFilters, self.request)
        tables = selectors.latest_published_for(self.request.user).select_related("definition")
        if "definition" in filters:
            tables = tables.filter(definition__slug=filters["definition"])
        if filters.get("q"):
            tables = tables.filter(title__icontains=filters["q"])
        return tables


@extend_schema(
    summary="Eine veröffentlichte Tabelle / one published table",
    description="JSON with the protected cells, legend and method; `?format=csv` gives CSV.",
    responses={
        (200, "application/json"): PublishedTableSerializer,
        (200, "text/csv"): CSV_RESPONSE,
    },
    tags=["tables"],
)
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


@extend_schema(
    summary="Tabelle als CSV / table as CSV",
    responses={(200, "text/csv"): CSV_RESPONSE},
    tags=["tables"],
)
class PublishedTableCSV(generics.GenericAPIView):
    # JSON first: an error is answered in JSON whatever was asked for.
    renderer_classes = [JSONRenderer, CSVRenderer]
    serializer_class = PublishedTableSerializer

    def get_queryset(self):
        return selectors.published_tables_for(self.request.user)

    def get(self, request, pk):
        return csv_response(self.get_object())


def _statistician_only(request):
    if not selectors.is_statistician(request.user):
        raise NotFound


class ParametersSerializer(serializers.Serializer):
    """Parameters of the protection method; anything left out takes the office's default."""

    min_frequency = serializers.IntegerField(required=False, min_value=1)
    dominance_n = serializers.IntegerField(required=False, min_value=1)
    dominance_k = serializers.FloatField(required=False, min_value=0, max_value=100)
    p_percent = serializers.FloatField(required=False, allow_null=True, min_value=0)
    protection_pct = serializers.FloatField(required=False, min_value=0, max_value=100)
    holder_field = serializers.CharField(required=False, allow_blank=True, max_length=100)
    ptable_D = serializers.IntegerField(required=False, min_value=1)  # noqa: N815 - stored key
    ptable_V = serializers.FloatField(required=False, min_value=0)  # noqa: N815
    ptable_js = serializers.IntegerField(required=False, min_value=0)


class DefinitionSerializer(serializers.ModelSerializer):
    sources = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=DataSource.objects.all()
    )
    dimensions = serializers.ListField(
        child=serializers.DictField(),
        max_length=4,
        help_text='Merkmale, z. B. [{"field": "Stadtteil"}, {"field": "Alter", '
        '"kind": "age_band"}] / dimensions',
    )
    filters = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='z. B. [{"field": "Alter", "op": ">=", "value": 18}] / filters',
    )
    parameters = ParametersSerializer(required=False)
    reference_runs = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**18 - 1),
        required=False,
        help_text="Importläufe der Datenstände (leer: der aktuelle) / import run ids",
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


@extend_schema(tags=["table definitions"])
class DefinitionListCreate(generics.ListCreateAPIView):
    """The statistics office's table definitions on whose sources you may define tables
    (everybody else: 404)."""

    serializer_class = DefinitionSerializer

    def get_queryset(self):
        _statistician_only(self.request)
        return selectors.definitions_for(self.request.user).order_by("title", "pk")

    @extend_schema(summary="Tabellendefinitionen / table definitions")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Tabelle definieren / define a table",
        responses={201: DefinitionSerializer},
    )
    def post(self, request, *args, **kwargs):
        _statistician_only(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        sources = data.pop("sources")
        try:
            definition = services.save_definition(user=request.user, sources=sources, **data)
        except services.TableError as exc:
            raise ValidationError(str(exc))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        return Response(self.get_serializer(definition).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Tabelle berechnen / compute a table",
    description="Queues a computation in the statistics office; poll the computation.",
    request=None,
    responses={202: ComputationSerializer},
    tags=["table definitions"],
)
class DefinitionCompute(generics.GenericAPIView):
    serializer_class = ComputationSerializer

    def get_queryset(self):
        _statistician_only(self.request)
        return selectors.definitions_for(self.request.user)

    def post(self, request, pk):
        definition = self.get_object()
        try:
            computation = services.request_computation(definition, request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        computation.refresh_from_db()
        return Response(ComputationSerializer(computation).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    summary="Eine Berechnung / one computation",
    description="Status and, once computed, the protected cells awaiting review.",
    tags=["table definitions"],
)
class ComputationDetail(generics.RetrieveAPIView):
    serializer_class = ComputationSerializer

    def get_queryset(self):
        _statistician_only(self.request)
        return selectors.computations_for(self.request.user)
