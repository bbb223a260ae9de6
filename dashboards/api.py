"""REST API: a dashboard's definition and each widget's figure (plotly JSON plus its data
table, summary and notes). Filters are query parameters, as on the page."""

from django.templatetags.static import static
from django.urls import reverse
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import Dashboard, Widget


class WidgetSerializer(serializers.ModelSerializer):
    table = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    compare_table = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    figure_url = serializers.SerializerMethodField()

    class Meta:
        model = Widget
        fields = [
            "id",
            "position",
            "title",
            "kind",
            "table",
            "compare_table",
            "x_dimension",
            "series_dimension",
            "palette",
            "width",
            "note",
            "figure_url",
        ]

    def get_figure_url(self, obj):
        request = self.context["request"]
        url = reverse("dashboard-figure", kwargs={"slug": obj.dashboard.slug, "widget_pk": obj.pk})
        query = request.query_params.urlencode()
        return request.build_absolute_uri(url + (f"?{query}" if query else ""))


class DashboardSerializer(serializers.ModelSerializer):
    widgets = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

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

    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_widgets(self, obj):
        return WidgetSerializer(selectors.widgets_of(obj), many=True, context=self.context).data


class DashboardViewSet(viewsets.ReadOnlyModelViewSet):
    """Dashboards the user may see (others are 404), with their widgets' figures."""

    serializer_class = DashboardSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.dashboards_for(self.request.user).order_by("title")

    @action(detail=True, url_path=r"widgets/(?P<widget_pk>[0-9]+)/figure", url_name="figure")
    def figure(self, request, slug=None, widget_pk=None, format=None):  # noqa: A002 - DRF suffix
        widget = selectors.widget_for(request.user, slug, widget_pk)
        filters = services.filters_from(request.query_params, widget.dashboard)
        result = dict(services.render_widget(widget, filters))
        result["filters"] = filters
        result["widget"] = WidgetSerializer(widget, context=self.get_serializer_context()).data
        if result.get("figure"):
            # The map's GeoJSON is a static file: give API clients its full address.
            geojson = request.build_absolute_uri(static("dashboards/stadtteile.geojson"))
            for trace in result["figure"].get("data", []):
                if trace.get("type") == "choropleth":
                    trace["geojson"] = geojson
        return Response(result)
