from django.urls import path

from . import views

urlpatterns = [path("a/<slug:slug>/availability/", views.availability, name="availability")]
