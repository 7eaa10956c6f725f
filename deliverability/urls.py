from django.urls import path

from .authentication import views as auth_views
from .blocklists import staff_views, views
from .dmarc_reports import views as dmarc_views
from .library import views as library_views
from .mediation import views as mediation_views
from .reputation import postmaster_views, snds_views

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
        "a/<slug:slug>/deliverability/targets/<int:pk>/move/",
        views.target_move,
        name="deliverability-target-move",
    ),
    path(
        "a/<slug:slug>/deliverability/streams/<int:pk>/remove/",
        views.stream_remove,
        name="deliverability-stream-remove",
    ),
    path("console/listings/", staff_views.listings, name="staff-listings"),
]

urlpatterns += [
    path("a/<slug:slug>/authentication/", auth_views.authentication, name="authentication"),
    path("a/<slug:slug>/authentication/check/", auth_views.authentication_check, name="authentication-check"),
    path("a/<slug:slug>/authentication/runs/<int:pk>/", auth_views.authentication_run, name="authentication-run"),
    path("a/<slug:slug>/authentication/history/", auth_views.authentication_history, name="authentication-history"),
    path(
        "a/<slug:slug>/authentication/history/<int:pk>/",
        auth_views.authentication_past_run,
        name="authentication-past-run",
    ),
    path(
        "a/<slug:slug>/authentication/domains/<int:pk>/selectors/",
        auth_views.authentication_selectors,
        name="authentication-selectors",
    ),
]

urlpatterns += [
    path("library/", library_views.library, name="library"),
    path("library/<slug:slug>/", library_views.article, name="article"),
]

urlpatterns += [
    path("a/<slug:slug>/mediation/", mediation_views.mediation_list, name="mediation-list"),
    path("a/<slug:slug>/mediation/new/", mediation_views.mediation_edit, name="mediation-new"),
    path("a/<slug:slug>/mediation/<int:pk>/", mediation_views.mediation_detail, name="mediation"),
    path("a/<slug:slug>/mediation/<int:pk>/edit/", mediation_views.mediation_edit, name="mediation-edit"),
    path("a/<slug:slug>/mediation/<int:pk>/submit/", mediation_views.mediation_submit, name="mediation-submit"),
    path("a/<slug:slug>/mediation/<int:pk>/delete/", mediation_views.mediation_delete, name="mediation-delete"),
    path("a/<slug:slug>/mediation/<int:pk>/withdraw/", mediation_views.mediation_withdraw, name="mediation-withdraw"),
    path("a/<slug:slug>/mediation/<int:pk>/comment/", mediation_views.mediation_comment, name="mediation-comment"),
    path("console/mediation/", mediation_views.staff_mediation_list, name="staff-mediation-list"),
    path("console/mediation/<int:pk>/", mediation_views.staff_mediation, name="staff-mediation"),
]

urlpatterns += [
    path("a/<slug:slug>/dmarc/", dmarc_views.reports, name="dmarc-reports"),
    path("a/<slug:slug>/dmarc/upload/", dmarc_views.upload, name="dmarc-upload"),
    path("a/<slug:slug>/dmarc/rotate/", dmarc_views.rotate, name="dmarc-rotate"),
    path("a/<slug:slug>/dmarc/domains/<str:domain>/", dmarc_views.domain, name="dmarc-domain"),
    path("a/<slug:slug>/dmarc/refused/", dmarc_views.refused, name="dmarc-refused"),
    path("a/<slug:slug>/dmarc/refused/replay/", dmarc_views.replay_all, name="dmarc-replay-all"),
    path("a/<slug:slug>/dmarc/reports/<int:pk>/replay/", dmarc_views.replay, name="dmarc-replay"),
]

urlpatterns += [
    path("a/<slug:slug>/reputation/microsoft/", snds_views.snds, name="snds"),
    path("a/<slug:slug>/reputation/microsoft/key/", snds_views.snds_connect, name="snds-connect"),
    path("a/<slug:slug>/reputation/microsoft/test/", snds_views.snds_test, name="snds-test"),
    path("a/<slug:slug>/reputation/microsoft/remove/", snds_views.snds_remove, name="snds-remove"),
]

urlpatterns += [  # issue 19: Google Postmaster Tools
    path("a/<slug:slug>/reputation/", postmaster_views.reputation, name="reputation"),
    path("a/<slug:slug>/reputation/postmaster/connect/", postmaster_views.connect, name="postmaster-connect"),
    path("a/<slug:slug>/reputation/postmaster/disconnect/", postmaster_views.disconnect, name="postmaster-disconnect"),
    path("a/<slug:slug>/reputation/postmaster/import/", postmaster_views.import_now, name="postmaster-import"),
    path("reputation/postmaster/callback/", postmaster_views.callback, name="postmaster-callback"),
]
