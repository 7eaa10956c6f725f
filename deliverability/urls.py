from django.urls import path

from . import staff_views, views

urlpatterns = [
    path("a/<slug:slug>/deliverability/", views.overview, name="deliverability"),
    path("a/<slug:slug>/deliverability/check/", views.check_now, name="deliverability-check"),
    path("a/<slug:slug>/deliverability/sweeps/<int:pk>/", views.sweep_progress, name="deliverability-sweep"),
    path("a/<slug:slug>/deliverability/history/", views.history, name="deliverability-history"),
    path("a/<slug:slug>/deliverability/targets/", views.targets_add, name="deliverability-targets"),
    path(
        "a/<slug:slug>/deliverability/targets/<int:pk>/remove/",
        views.target_remove,
        name="deliverability-target-remove",
    ),
    path(
        "a/<slug:slug>/deliverability/streams/<int:pk>/remove/",
        views.stream_remove,
        name="deliverability-stream-remove",
    ),
    path("console/listings/", staff_views.listings, name="staff-listings"),
]
