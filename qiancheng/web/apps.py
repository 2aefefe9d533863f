from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qiancheng.web"
    label = "web"
    verbose_name = "页面框架 page shell"
