"""REST API: a dashboard's definition and each widget's figure (plotly JSON plus its data
table, summary and notes). Filters are query parameters, as on the page."""

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bif.api.filters import ID_PATTERN
from bif.api.schema import ID_SCHEMA

from . import pages, selectors, services
from .models import Dashboard, Widget

DASHBOARD_FILTERS = OpenApiParameter(
    name="filters",
    type={"type": "object", "additionalProperties": {"type": "string"}},
    location=OpenApiParameter.QUERY,
    style="form",
    explode=True,
    required=False,
    description="Die Filter des Dashboards (siehe `filters`) als Parameter, z. B. "
    "`?Stadtteil=01&Stichtag=2025-12-31`; andere Parameter werden ignoriert / the "
    "dashboard's filters as query parameters; others are ignored.",
)


class WidgetSerializer(serializers.ModelSerializer):
    table = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    compare_table = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    figure_url = serializers.SerializerMethodField()

    class Meta:
        model = Widget
        fields = ["id", "position", *services.WIDGET_FIELDS, "figure_url"]

    def get_figure_url(self, obj) -> str:
        request = self.context["request"]
        url = reverse("dashboard-figure", kwargs={"slug": obj.dashboard.slug, "widget_pk": obj.pk})
        query = request.query_params.urlencode()
        return request.build_absolute_uri(url + (f"?{query}" if query else ""))


class DashboardSerializer(serializers.ModelSerializer):
    widgets = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    filters = serializers.ListField(
        child=serializers.CharField(),
        help_text="Namen der Filter (Merkmale) / names of the filters",
    )

    class Meta:
        model = Dashboard
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "filters",
            "status",
            "visibility",
            "published_at",
            "url",
            "widgets",
        ]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    @extend_schema_field(WidgetSerializer(many=True))
    def get_widgets(self, obj):
        return WidgetSerializer(selectors.widgets_of(obj), many=True, context=self.context).data


class FigureSerializer(serializers.Serializer):
    """A widget rendered for the chosen filters: plotly figure and its accessible companions
    (data table, text summary, notes on secret cells, source lines)."""

    kind = serializers.CharField()
    figure = serializers.JSONField(allow_null=True, help_text="plotly figure JSON")
    table = serializers.JSONField(allow_null=True, help_text="the figure's data as a table")
    summary = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())
    secret_count = serializers.IntegerField()
    empty = serializers.BooleanField()
    footer = serializers.ListField(child=serializers.CharField())
    kpi = serializers.DictField(required=False, help_text="value and change of a KPI tile")
    tables = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="the publications used"
    )
    reference = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="the city's value (table total, and a rate on the figure's tables)",
    )
    filters = serializers.DictField(child=serializers.CharField())
    widget = WidgetSerializer()


@extend_schema_view(
    list=extend_schema(summary="Dashboards", tags=["dashboards"]),
    retrieve=extend_schema(
        summary="Ein Dashboard / one dashboard",
        description="The widgets' `figure_url`s carry the filters given here.",
        parameters=[DASHBOARD_FILTERS],
        tags=["dashboards"],
    ),
)
class DashboardViewSet(viewsets.ReadOnlyModelViewSet):
    """Dashboards the user may see (others are 404), with their widgets' figures."""

    serializer_class = DashboardSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]{1,80}"

    def get_queryset(self):
        return selectors.dashboards_for(self.request.user).order_by("title", "pk")

    @extend_schema(
        summary="Eine Grafik / one widget's figure",
        description="The widget rendered for the filters given as query parameters: plotly "
        "figure JSON with its data table, text summary, notes on secret cells and sources.",
        parameters=[
            OpenApiParameter(
                "widget_pk", ID_SCHEMA, OpenApiParameter.PATH, description="widget id"
            ),
            DASHBOARD_FILTERS,
        ],
        responses=FigureSerializer,
        tags=["dashboards"],
    )
    @action(
        detail=True,
        url_path=rf"widgets/(?P<widget_pk>{ID_PATTERN})/figure",
        url_name="figure",
    )
    def figure(self, request, slug=None, widget_pk=None):
        widget = selectors.widget_for(request.user, slug, widget_pk)
        filters = services.filters_from(request.query_params, widget.dashboard)
        result = dict(services.render_widget(widget, filters))
        # The cache key names the publications, the widget's last change, the filters and
        # the language: the figure's version. A client holding it gets 304 and no body.
        etag = pages.etag_of(result.pop("cache_key", None), request)
        if etag and etag in _if_none_match(request):
            return Response(status=304, headers={"ETag": etag})
        result["filters"] = filters
        result["widget"] = widget
        if result.get("figure"):
            # The map's GeoJSON is the level's page: give API clients its full address.
            for trace in result["figure"].get("data", []):
                if trace.get("type") == "choropleth" and isinstance(trace.get("geojson"), str):
                    trace["geojson"] = request.build_absolute_uri(trace["geojson"])
        data = FigureSerializer(result, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": etag} if etag else None)


def _if_none_match(request):
    header = request.headers.get("If-None-Match", "")
    return {tag.strip() for tag in header.split(",") if tag.strip()}
