"""REST endpoint of the table builder: the same checks, budget and audit as the page
(statistics_office.builder.services); staff only (others get 404)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from statistics_office.builder import selectors, services
from statistics_office.builder.models import BuilderQuery

from . import results


def _staff_only(request):
    if not services.may_build(request.user):
        raise NotFound


class FilterSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=80)
    values = serializers.ListField(child=serializers.CharField(max_length=80), max_length=200)


class AskSerializer(serializers.Serializer):
    source = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    rows = serializers.ListField(child=serializers.CharField(max_length=80), max_length=5)
    columns = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=5, required=False, default=list
    )
    filters = FilterSerializer(many=True, required=False, default=list)


class QuerySerializer(serializers.ModelSerializer):
    legend = serializers.SerializerMethodField()

    class Meta:
        model = BuilderQuery
        fields = [
            "id",
            "status",
            "refusal",
            "message",
            "spec",
            "reference_date",
            "dimensions",
            "cells",
            "legend",
        ]

    def get_legend(self, obj) -> list[str]:
        return results.legend() if obj.status == BuilderQuery.Status.DONE else []


class CatalogueSerializer(serializers.Serializer):
    source = serializers.IntegerField(source="source_id")
    source_name = serializers.CharField(source="source.name")
    items = serializers.JSONField()
    max_dimensions = serializers.IntegerField()
    excluded_combinations = serializers.JSONField()


@extend_schema(
    summary="Kataloge des Tabellenbaukastens / table builder catalogues",
    tags=["table builder"],
)
class CatalogueList(generics.ListAPIView):
    serializer_class = CatalogueSerializer  # paginated, as every list of the API

    def get_queryset(self):
        _staff_only(self.request)
        return services.catalogues_for(self.request.user)


@extend_schema(
    summary="Tabelle bauen / build a table",
    description="Aggregated and perturbed (cell key method) in the sealed worker. Refused "
    "queries (catalogue, filter isolation, sparsity, related queries) answer 422, an "
    "exhausted daily budget 429; every query is audited.",
    request=AskSerializer,
    responses={
        200: QuerySerializer,
        202: QuerySerializer,
        422: QuerySerializer,
        429: QuerySerializer,
        503: QuerySerializer,
    },
    tags=["table builder"],
)
class Ask(generics.GenericAPIView):
    serializer_class = AskSerializer

    def get_queryset(self):
        _staff_only(self.request)
        return services.catalogues_for(self.request.user)

    def post(self, request):
        catalogues = self.get_queryset()
        serializer = AskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        catalogue = catalogues.filter(source_id=data["source"]).first()
        if catalogue is None:
            raise NotFound
        try:
            query = services.ask(request.user, catalogue.source, data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        query = services.wait(query)
        code = status.HTTP_200_OK
        if query.refusal == BuilderQuery.Refusal.BUDGET:
            code = status.HTTP_429_TOO_MANY_REQUESTS
        elif query.status == BuilderQuery.Status.REFUSED:
            code = status.HTTP_422_UNPROCESSABLE_ENTITY
        elif query.status == BuilderQuery.Status.FAILED:
            code = status.HTTP_503_SERVICE_UNAVAILABLE
        elif query.status != BuilderQuery.Status.DONE:
            code = status.HTTP_202_ACCEPTED  # still computing: GET the query to follow it
        return Response(QuerySerializer(query).data, status=code)


@extend_schema(
    summary="Eine Abfrage / one query",
    description="The person's own query: its status and, once answered, the protected cells.",
    tags=["table builder"],
)
class QueryDetail(generics.RetrieveAPIView):
    serializer_class = QuerySerializer

    def get_queryset(self):
        _staff_only(self.request)
        return selectors.own_queries(self.request.user)
