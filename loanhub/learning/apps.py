from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "loanhub.learning"
    label = "learning"
    verbose_name = _("从结果中学习")
