from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions
from rest_framework.routers import SimpleRouter

from lvv.exchange.api import views

app_name = "api"

router = SimpleRouter()
router.register("persons", views.PersonViewSet, basename="person")
router.register("stays", views.StayViewSet, basename="stay")

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(
            permission_classes=[permissions.AllowAny], authentication_classes=[]
        ),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            permission_classes=[permissions.AllowAny],
            authentication_classes=[],
        ),
        name="docs",
    ),
    path("ind-enrichment/", views.IndEnrichmentView.as_view(), name="ind-enrichment"),
    path("monitor/", views.MonitorView.as_view(), name="monitor"),
    *router.urls,
]
