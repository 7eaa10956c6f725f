"""The account's team page and the signed-in person's profile."""

from django.urls import path

from . import views

urlpatterns = [
    path("a/<slug:slug>/team/", views.team, name="team"),
    path("a/<slug:slug>/team/<int:pk>/role/", views.member_role, name="member-role"),
    path("a/<slug:slug>/team/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("profile/", views.profile, name="profile"),
]
