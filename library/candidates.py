"""The plain-data view of a library task that selection and scoring work on."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    category: str
    subcategory: str
    name: str
    description: str
    duration_minutes: int
    difficulty: str
    variation_group: str
    time_of_day: str
    archetype_fit: dict[str, float] = field(hash=False, compare=False)
    mode_fit: dict[str, float] = field(hash=False, compare=False)
    # The task's stable small number (library.models.Task.number): how logs name it.
    number: int = field(default=0, compare=False)

    @property
    def arm(self) -> str:
        """The learning unit: a subcategory within its category ("movement/yoga")."""
        return f"{self.category}/{self.subcategory or self.category}"
