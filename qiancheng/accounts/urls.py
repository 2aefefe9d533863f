from django.urls import path

from qiancheng.accounts import second_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/second-factor/", second_factor_views.manage, name="second_factor"),
    path("account/second-factor/verify/", second_factor_views.verify, name="second_factor_verify"),
    path("account/second-factor/enrol/", second_factor_views.enrol, name="second_factor_enrol"),
    path("account/second-factor/recovery-codes/", second_factor_views.recovery_codes,
         name="second_factor_recovery_codes"),
    path("account/second-factor/recovery-codes/new/", second_factor_views.regenerate,
         name="second_factor_regenerate"),
    path("account/second-factor/remove/", second_factor_views.remove, name="second_factor_remove"),
    path("account/second-factor/officials/", second_factor_views.officials, name="second_factor_officials"),
    path("account/second-factor/officials/<int:user_id>/reset/", second_factor_views.reset,
         name="second_factor_reset"),
]
