from django.apps import AppConfig


class LabConfig(AppConfig):
    """Research and measurement tools: the simulation and the benchmarks (dev extra only)."""

    name = "lab"
    verbose_name = "HolisticOS lab"
