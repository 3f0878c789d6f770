"""Validation of the fit-score maps, shared by the model, the admin form and imports."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError


def validate_fit_map(value: object, expected_keys: Iterable[str], label: str) -> None:
    """A fit map holds exactly the expected keys, each a number in [0, 1]."""
    expected = list(expected_keys)
    if not isinstance(value, Mapping):
        raise ValidationError(f"{label} must be an object mapping each of {expected} to 0.0-1.0.")
    missing = [key for key in expected if key not in value]
    unknown = sorted(key for key in value if key not in expected)
    errors = []
    if missing:
        errors.append(f"{label} is missing {', '.join(missing)}.")
    if unknown:
        errors.append(f"{label} has unknown keys {', '.join(unknown)}; allowed: {expected}.")
    for key in expected:
        if key not in value:
            continue
        score = value[key]
        if isinstance(score, bool) or not isinstance(score, int | float):
            errors.append(f"{label}[{key}] must be a number, got {score!r}.")
        elif not 0.0 <= score <= 1.0:
            errors.append(f"{label}[{key}] must be between 0.0 and 1.0, got {score}.")
    if errors:
        raise ValidationError(errors)


def validate_string_list(value: object, label: str) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValidationError(f"{label} must be a list of non-empty strings.")
