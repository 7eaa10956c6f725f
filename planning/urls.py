from django.urls import path

from . import capacity_views, views

urlpatterns = [
    path("a/<slug:slug>/warmup/", views.plan_list, name="warmup-list"),
    path("a/<slug:slug>/warmup/new/", views.plan_new, name="warmup-new"),
    path("a/<slug:slug>/warmup/<int:pk>/", views.plan_detail, name="warmup-plan"),
    path("a/<slug:slug>/warmup/<int:pk>/actuals/", views.actuals_upload, name="warmup-actuals"),
    path("a/<slug:slug>/api-tokens/", views.tokens, name="planning-tokens"),
    path("api/v1/warmup/<int:pk>/actuals", views.api_actuals, name="api-warmup-actuals"),
    path("a/<slug:slug>/capacity/", capacity_views.capacity, name="capacity"),
    path("a/<slug:slug>/capacity/<slug:kind>/<int:pk>/remove/", capacity_views.capacity_remove, name="capacity-remove"),
]
