from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "serambi.circulation"
    label = "circulation"
    verbose_name = _("Circulation")
