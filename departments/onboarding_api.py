"""REST API for onboarding a source: describe a sample file, create a source with its schema.

For the statistics office and the administration (everybody else: 403)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import onboarding
from .api import DataSourceSerializer, SourceCreateSerializer
from .models import Department


class DescribeRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)


class DescriptionSerializer(serializers.Serializer):
    layout = serializers.DictField(help_text="Erkannter Aufbau / detected layout")
    schema = serializers.DictField(help_text="Vorgeschlagenes Table Schema / proposed schema")
    flags = serializers.ListField(
        child=serializers.DictField(),
        help_text="Personenbezogene Spalten, die eine Entscheidung brauchen / personal columns",
    )
    row_count = serializers.IntegerField()


def _onboarders_only(request):
    if not onboarding.can_onboard(request.user):
        raise PermissionDenied(
            "Neue Datenquellen legen die Statistikstelle und die Administration an."
        )


@extend_schema(
    summary="Beispieldatei beschreiben / describe a sample file",
    description="Detects the layout (header, GENESIS formats, signs) and proposes a Table "
    "Schema. The file is not kept.",
    request={"multipart/form-data": DescribeRequestSerializer},
    responses={200: DescriptionSerializer},
    tags=["sources"],
)
class SourceDescribe(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request):
        _onboarders_only(request)
        data = DescribeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            description = onboarding.describe_upload(
                data.validated_data["file"],
                sheet=data.validated_data.get("sheet") or None,
                request=request,
            )
        except onboarding.SchemaRejected as rejected:
            raise ValidationError({"file": rejected.problems})
        return Response(DescriptionSerializer(description).data)


def create_source(request):
    """POST /sources/ (DataSourceViewSet.create): a source with its first schema version."""
    _onboarders_only(request)
    data = SourceCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    department = Department.objects.filter(code=values["department"]).first()
    if department is None:
        raise ValidationError({"department": ["Diesen Fachbereich gibt es nicht."]})
    try:
        source = onboarding.create_source(
            slug=values["slug"],
            department=department,
            kind=values["kind"],
            schema=values["schema"],
            name=values.get("name", ""),
            user=request.user,
        )
    except onboarding.SchemaRejected as rejected:
        raise ValidationError({"schema": rejected.problems})
    return Response(DataSourceSerializer(source).data, status=status.HTTP_201_CREATED)
