from django.shortcuts import render


def dashboard_list(request):
    return render(request, "dashboards/list.html", {"dashboards": []})
