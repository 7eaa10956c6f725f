from django.urls import path

from . import api, views

urlpatterns = [
    path("a/<slug:slug>/availability/", views.availability, name="availability"),
    path("a/<slug:slug>/availability/<int:year>-<int:month>.csv", views.availability_csv, name="availability-csv"),
    path(
        "a/<slug:slug>/availability/<int:year>-<int:month>/report/",
        views.availability_report,
        name="availability-report",
    ),
    path("api/v1/availability/attempts", api.attempts, name="api-availability-attempts"),
]
