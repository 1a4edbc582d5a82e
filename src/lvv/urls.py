from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "LVV-register: functioneel beheer"
admin.site.site_title = "LVV-register"

urlpatterns = [
    path("inloggen/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("lvv.accounts.urls")),
    path("", include("lvv.access.urls")),
    path("beheer/", admin.site.urls),
    path("api/v1/", include("lvv.exchange.api.urls")),
    path("uitwisseling/", include("lvv.exchange.urls")),
    path("werk/", include("lvv.workflow.urls")),
    path("", include("lvv.registry.urls")),
    path("", include("lvv.jobs.urls")),
    path("monitor/", include("lvv.monitor.urls")),
    path("", include("lvv.web.urls")),
]
