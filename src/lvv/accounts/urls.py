from django.urls import path

from lvv.accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.otp_verify, name="otp-verify"),
    path("2fa/instellen/", views.otp_setup, name="otp-setup"),
]
