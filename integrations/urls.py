"""The account admin's "Alerts and webhooks" page (issues 19, 20)."""

from django.urls import path

from . import views

urlpatterns = [
    path("a/<slug:slug>/team/webhooks/", views.destinations, name="webhooks"),
    path("a/<slug:slug>/team/webhooks/<int:pk>/", views.destination, name="webhook"),
    path("a/<slug:slug>/team/webhooks/<int:pk>/test/", views.send_test, name="webhook-test"),
    path("a/<slug:slug>/team/webhooks/<int:pk>/rotate/", views.rotate, name="webhook-rotate"),
    path("a/<slug:slug>/team/webhooks/<int:pk>/delete/", views.delete, name="webhook-delete"),
]
