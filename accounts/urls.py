"""The account's team page, its audit trail (staff) and the signed-in person's profile."""

from django.urls import path

from . import session_views, views

urlpatterns = [
    path("a/<slug:slug>/team/", views.team, name="team"),
    path("a/<slug:slug>/team/sessions/", session_views.session_policy, name="team-sessions"),
    path("a/<slug:slug>/team/two-factor/", views.team_two_factor, name="team-two-factor"),
    path("a/<slug:slug>/team/<int:pk>/role/", views.member_role, name="member-role"),
    path("a/<slug:slug>/team/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("console/accounts/<slug:slug>/audit/", views.audit_trail, name="account-audit"),
    path("profile/", views.profile, name="profile"),
    path("profile/sessions/end-others/", views.sessions_end_others, name="sessions-end-others"),
]
