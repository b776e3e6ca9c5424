from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "redaction"
    verbose_name = "Redaction"
