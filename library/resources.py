"""Import and export of the library (CSV, JSON) with django-import-export.

Fit maps and lists become flat columns ("fit Peak Performer", "mode low", "tags") so a
spreadsheet can edit them. Every row goes through the model's validation; a file with any
invalid row shows the row errors in the preview and imports nothing.
"""

from import_export import fields, resources

from .choices import ARCHETYPES, MODES
from .models import Task

LIST_SEPARATOR = ", "


class _Column(fields.Field):
    """A flat column backed by one key of a JSON map; written in `import_instance`."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        return None


class TaskResource(resources.ModelResource):
    tags = fields.Field(column_name="tags")
    equipment_needed = fields.Field(column_name="equipment_needed")

    class Meta:
        model = Task
        fields = (
            "id",
            "name",
            "description",
            "category",
            "subcategory",
            "variation_group",
            "difficulty",
            "duration_minutes",
            "time_of_day_preference",
            "is_active",
            "tags",
            "equipment_needed",
        )
        import_id_fields = ("id",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        for archetype in ARCHETYPES:
            self.fields[f"fit {archetype}"] = _Column(column_name=f"fit {archetype}")
        for mode in MODES:
            self.fields[f"mode {mode}"] = _Column(column_name=f"mode {mode}")

    def export_field(self, field, instance, **kwargs):
        name = field.column_name
        if name.startswith("fit "):
            return instance.archetype_fit.get(name[4:])
        if name.startswith("mode "):
            return instance.mode_fit.get(name[5:])
        if name in ("tags", "equipment_needed"):
            return LIST_SEPARATOR.join(getattr(instance, name) or [])
        return super().export_field(field, instance, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.archetype_fit = {
            a: _score(row.get(f"fit {a}"))
            for a in ARCHETYPES
            if row.get(f"fit {a}") not in (None, "")
        }
        instance.mode_fit = {
            m: _score(row.get(f"mode {m}")) for m in MODES if row.get(f"mode {m}") not in (None, "")
        }
        instance.tags = _list(row.get("tags"))
        instance.equipment_needed = _list(row.get("equipment_needed"))


def _score(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value  # left as is: the model's validation names it


def _list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]
