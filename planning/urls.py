from django.urls import path

from . import views

urlpatterns = [
    path("a/<slug:slug>/warmup/", views.plan_list, name="warmup-list"),
    path("a/<slug:slug>/warmup/new/", views.plan_new, name="warmup-new"),
    path("a/<slug:slug>/warmup/<int:pk>/", views.plan_detail, name="warmup-plan"),
    path("a/<slug:slug>/warmup/<int:pk>/actuals/", views.actuals_upload, name="warmup-actuals"),
    path("a/<slug:slug>/api-tokens/", views.tokens, name="planning-tokens"),
    path("api/v1/warmup/<int:pk>/actuals", views.api_actuals, name="api-warmup-actuals"),
]
