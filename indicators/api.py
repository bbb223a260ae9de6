"""REST API (read only): the indicator catalogue, one indicator's values over the areas at
a Stichtag, and a district profile. Same selectors as the pages: what a user may not see
is a 404."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .models import Indicator

STICHTAG = OpenApiParameter(
    "stichtag",
    {"type": "string", "format": "date"},
    OpenApiParameter.QUERY,
    required=False,
    description="Stichtag (JJJJ-MM-TT), sonst der neueste / reference date, default newest",
)


class IndicatorSerializer(serializers.ModelSerializer):
    numerator = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    denominator = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    formula = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "slug",
            "name",
            "definition",
            "unit",
            "kind",
            "formula",
            "numerator",
            "numerator_label",
            "numerator_filter",
            "denominator",
            "denominator_label",
            "denominator_filter",
            "area_dimension",
            "decimals",
            "source",
            "contact",
            "legal_basis",
            "footnotes",
            "status",
            "version",
            "url",
        ]

    def get_formula(self, obj) -> str:
        return selectors.formula_of(obj)

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class StichtagQuery(serializers.Serializer):
    stichtag = serializers.DateField(required=False)


AREA_KEYS = (
    "code",
    "label",
    "cell",
    "text",
    "numerator",
    "denominator",
    "rank",
    "to_city",
    "change",
)


def _area(row):
    return {key: row.get(key) for key in AREA_KEYS}


def _values(result):
    """Only protected figures: every value as a cell with its sign, never a raw number of a
    secret cell."""
    if result is None:
        return None
    return {
        "stichtag": result["stichtag"],
        "previous": result["previous"],
        "stichtage": result["stichtage"],
        "areas": [_area(a) for a in result["areas"]],
        "city": _area(result["city"]) if result["city"] else None,
        "tables": [
            {k: t[k] for k in ("slug", "title", "version", "reference_date")}
            for t in result["tables"]
        ],
    }


@extend_schema_view(
    list=extend_schema(summary="Indikatoren / indicators", tags=["indicators"]),
    retrieve=extend_schema(
        summary="Ein Indikator mit seinen Werten / one indicator with its values",
        parameters=[STICHTAG],
        tags=["indicators"],
    ),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]{1,80}"

    def get_queryset(self):
        return selectors.indicators_for(self.request.user).order_by("name", "pk")

    def retrieve(self, request, *args, **kwargs):
        indicator = self.get_object()
        query = StichtagQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("stichtag")
        result = selectors.evaluate(indicator, wanted.isoformat() if wanted else None)
        if wanted and result is None:
            raise Http404
        data = dict(self.get_serializer(indicator).data)
        data["values"] = _values(result)
        return Response(data)


class ProfileRowSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    stichtag_text = serializers.CharField()
    area = serializers.DictField()
    city = serializers.CharField(allow_null=True)
    ranked = serializers.IntegerField()


class ProfileSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    indicators = ProfileRowSerializer(many=True)


class DistrictProfile(APIView):
    @extend_schema(
        summary="Gebietsprofil / district profile",
        description="Every visible indicator of one area beside the city's value.",
        parameters=[
            OpenApiParameter(
                "code",
                {"type": "string", "pattern": "^[-A-Za-z0-9_]{1,40}$"},
                OpenApiParameter.PATH,
            )
        ],
        responses={200: ProfileSerializer},
        tags=["indicators"],
    )
    def get(self, request, code):
        profile = selectors.district_profile(request.user, code)
        if profile is None:
            raise Http404
        rows = [
            {
                "indicator": row["indicator"].slug,
                "name": row["indicator"].name,
                "unit": row["indicator"].unit,
                "stichtag_text": row["stichtag_text"],
                "area": _area(row["area"]),
                "city": row["city"] and row["city"]["text"],
                "ranked": row["ranked"],
            }
            for row in profile["rows"]
        ]
        return Response({"code": code, "label": profile["label"], "indicators": rows})
