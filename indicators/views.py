"""Pages of the indicator catalogue: the list, one indicator over the areas (table, chart
and map, linked), a district profile and the office's form. Thin: selectors compute."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import charts, selectors, services
from .forms import IndicatorForm


def indicator_list(request):
    indicators = selectors.indicators_for(request.user)
    areas = selectors.profile_areas(indicators)
    return render(
        request,
        "indicators/indicator_list.html",
        {"indicators": indicators, "areas": areas, "may_edit": selectors.is_office(request.user)},
    )


def indicator_detail(request, slug):
    indicator = selectors.indicator_for(request.user, slug)
    result = selectors.evaluate(indicator, request.GET.get("stichtag") or None)
    definition = selectors.definition_of(indicator)
    figure = charts.bar_with_reference(indicator, result) if result else None
    area_map = charts.area_map(indicator, result, reverse) if result else None
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "definition": definition,
            "result": result,
            "figure": figure,
            "area_map": area_map,
            "summary": charts.summary(result) if result else "",
            "legend": selectors.legend(result),
            "may_edit": selectors.is_office(request.user),
        },
    )


def district_profile(request, code):
    profile = selectors.district_profile(request.user, code)
    if profile is None:
        raise Http404
    return render(request, "indicators/district_profile.html", {"profile": profile})


def indicator_form(request, slug=None):
    if not selectors.is_office(request.user):
        raise Http404
    indicator = selectors.indicator_for(request.user, slug) if slug else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            # The form only collects; the service decides (on a copy, not the bound instance).
            saved = services.save_indicator(
                user=request.user,
                indicator=selectors.indicator_for(request.user, slug) if slug else None,
                **fields,
            )
        except services.IndicatorError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Der Indikator ist gespeichert."))
            return redirect(saved)
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})
