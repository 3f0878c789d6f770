"""Plain candidates for planning tests: no database needed."""

import itertools

from library.candidates import Candidate
from library.choices import ARCHETYPES, MODES

_ids = itertools.count()


def candidate(
    category="hydration",
    group=None,
    difficulty="beginner",
    minutes=5,
    time_of_day="any",
    subcategory="water",
    fit=0.5,
    mode_fit=None,
    name=None,
) -> Candidate:
    n = next(_ids)
    return Candidate(
        id=f"00000000-0000-0000-0000-{n:012d}",
        category=category,
        subcategory=subcategory,
        name=name or f"{category} task {n}",
        description="test",
        duration_minutes=minutes,
        difficulty=difficulty,
        variation_group=group or f"{category}_group",
        time_of_day=time_of_day,
        archetype_fit={a: fit for a in ARCHETYPES},
        mode_fit=mode_fit or {m: 0.5 for m in MODES},
    )


def full_library(per_category: int = 4, groups_per_category: int = 1) -> list[Candidate]:
    """Enough 'any'-time beginner tasks to fill every slot of a high-energy day."""
    cats = ("hydration", "movement", "nutrition", "wellness", "recovery", "work", "focus")
    return [
        candidate(cat, group=f"{cat}_{i % groups_per_category}", minutes=5)
        for cat in cats
        for i in range(per_category)
    ]
