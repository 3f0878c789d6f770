"""The editor's task form: fit scores as labelled numbers, tags and equipment as lists."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.text import slugify

from .choices import ARCHETYPES, MODES
from .models import Task

ARCHETYPE_FIELDS = {f"fit_{slugify(a).replace('-', '_')}": a for a in ARCHETYPES}
MODE_FIELDS = {f"mode_fit_{mode}": mode for mode in MODES}


def _score_field(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0.0,
        max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
        error_messages={
            "required": f"{label}: a score from 0 to 1 is required.",
            "min_value": f"{label}: must be between 0 and 1.",
            "max_value": f"{label}: must be between 0 and 1.",
        },
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class TaskForm(forms.ModelForm):
    tags_text = forms.CharField(
        label="Tags", required=False, help_text="Comma-separated, e.g. outdoor, quick."
    )
    equipment_text = forms.CharField(
        label="Equipment needed", required=False, help_text="Comma-separated; empty if none."
    )

    class Meta:
        model = Task
        fields = [
            "name",
            "description",
            "category",
            "subcategory",
            "variation_group",
            "difficulty",
            "duration_minutes",
            "time_of_day_preference",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        task = self.instance
        for name, archetype in ARCHETYPE_FIELDS.items():
            self.initial.setdefault(name, (task.archetype_fit or {}).get(archetype, 0.5))
        for name, mode in MODE_FIELDS.items():
            self.initial.setdefault(name, (task.mode_fit or {}).get(mode, 0.5))
        self.initial.setdefault("tags_text", ", ".join(task.tags or []))
        self.initial.setdefault("equipment_text", ", ".join(task.equipment_needed or []))

    def _update_errors(self, errors):
        """The model validates the assembled maps again; its messages are about fields this
        form shows as separate inputs, which already carry their own errors."""
        assembled = {"archetype_fit", "mode_fit", "tags", "equipment_needed"}
        if hasattr(errors, "error_dict"):
            moved = []
            for name in assembled & set(errors.error_dict):
                if not self.errors:
                    moved += errors.error_dict[name]
                del errors.error_dict[name]
            if moved:
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(moved)
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        # Model.clean() validates these maps again, so an import or the API cannot differ.
        self.instance.archetype_fit = {
            archetype: cleaned.get(name)
            for name, archetype in ARCHETYPE_FIELDS.items()
            if cleaned.get(name) is not None
        }
        self.instance.mode_fit = {
            mode: cleaned.get(name)
            for name, mode in MODE_FIELDS.items()
            if cleaned.get(name) is not None
        }
        self.instance.tags = _split(cleaned.get("tags_text", ""))
        self.instance.equipment_needed = _split(cleaned.get("equipment_text", ""))
        return cleaned


# Declared after the class so their names come from the vocabularies; the admin builds its
# form from declared_fields, the form itself from base_fields.
for _name, _label in [
    *ARCHETYPE_FIELDS.items(),
    *((name, f"{mode.capitalize()} energy mode") for name, mode in MODE_FIELDS.items()),
]:
    TaskForm.base_fields[_name] = TaskForm.declared_fields[_name] = _score_field(_label)
