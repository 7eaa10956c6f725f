from django.urls import path

from . import api, views

urlpatterns = [
    path("a/<slug:slug>/availability/", views.availability, name="availability"),
    path("api/v1/availability/attempts", api.attempts, name="api-availability-attempts"),
]
