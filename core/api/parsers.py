from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, hardened: every hostile body is a 400, never a 500.

    - Absurdly nested JSON is a 400, not a RecursionError.
    - A lone surrogate (JSON "\\ud800") is valid JSON but not text: no database or encoder
      can store it. It is refused with the field that holds it named.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply.") from exc
        field = first_unencodable(data)
        if field is not None:
            raise ValidationError(
                {field or "non_field_errors": ["Contains an invalid character (a lone surrogate)."]}
            )
        return data


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def first_unencodable(value, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) that is not valid Unicode text."""
    if isinstance(value, str):
        return path if _unencodable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if _unencodable(str(key)):
                return path or "non_field_errors"
            found = first_unencodable(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unencodable(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
