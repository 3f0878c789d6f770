"""Import and export of the library (CSV, JSON) with django-import-export.

Fit maps and lists become flat columns ("fit Peak Performer", "mode low", "tags") so a
spreadsheet can edit them. Every row goes through the model's validation; a file with any
invalid row shows the row errors in the preview and imports nothing.
"""

from django.utils.encoding import force_str
from django.utils.html import format_html
from import_export import fields, resources
from import_export.resources import Diff

from .choices import ARCHETYPES, MODES
from .models import Task

LIST_SEPARATOR = ", "


class _Column(fields.Field):
    """A flat column backed by one key of a JSON map; written in `import_instance`.

    It reads its key itself because the import preview's diff and the skip-unchanged check
    read every column through the field, not through the resource: without this the
    preview showed fit and mode columns blank, and a row changing only a fit was skipped.
    """

    def __init__(self, map_name: str, key: str) -> None:
        super().__init__(column_name=f"{'fit' if map_name == 'archetype_fit' else 'mode'} {key}")
        self.map_name = map_name
        self.key = key

    def save(self, instance, row, is_m2m=False, **kwargs):
        return None

    def get_value(self, instance):
        return None if instance is None else (getattr(instance, self.map_name) or {}).get(self.key)

    def export(self, instance, **kwargs):
        value = self.get_value(instance)
        return "" if value is None else str(value)


class _ListColumn(fields.Field):
    """A list field as one comma-separated column, read the same way as _Column."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        return None

    def get_value(self, instance):
        return None if instance is None else getattr(instance, self.column_name)

    def export(self, instance, **kwargs):
        value = self.get_value(instance)
        return LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value or "")


class PreviewCells(list):
    """A preview row's cells, plus what the page shows before them: the task's name and,
    for a changed row, each changed column with its old and new value."""

    name: str = ""
    changes: list[tuple[str, str, str]]


def _shown(value) -> str:
    return "(empty)" if value in (None, "") else force_str(value)


class PreviewDiff(Diff):
    """The preview's cells: every value of a new row, "old → new" for a changed cell.

    The stock diff renders character-level insertions (0.8<ins>5</ins>) and blanks the old
    values of new rows; editors read whole values, so each cell is rendered whole. The
    changed columns are also listed by name at the start of the row: a 25-column file
    otherwise hides a change to "fit Peak Performer" far off to the right.
    """

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.headers = resource.get_diff_headers()

    def as_html(self) -> PreviewCells:
        cells = PreviewCells()
        cells.changes = []
        by_header = dict(zip(self.headers, self.right, strict=False))
        cells.name = force_str(by_header.get("name") or "")
        if self.new:
            cells += [format_html('<span class="value">{}</span>', v) for v in self.right]
            return cells
        for header, old, new in zip(self.headers, self.left, self.right, strict=True):
            if force_str(old) == force_str(new):
                cells.append(format_html('<span class="value unchanged">{}</span>', new))
                continue
            cells.changes.append((header, _shown(old), _shown(new)))
            cells.append(
                format_html(
                    '<span class="changed"><del class="old">{}</del> → '
                    '<ins class="new">{}</ins></span>',
                    _shown(old),
                    _shown(new),
                )
            )
        return cells


class TaskResource(resources.ModelResource):
    tags = _ListColumn(column_name="tags")
    equipment_needed = _ListColumn(column_name="equipment_needed")

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
            self.fields[f"fit {archetype}"] = _Column("archetype_fit", archetype)
        for mode in MODES:
            self.fields[f"mode {mode}"] = _Column("mode_fit", mode)

    def get_diff_class(self):
        return PreviewDiff

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
