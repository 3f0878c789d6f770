"""The vocabularies shared by the library, plans and feedback (spec section 1.1)."""

from django.db import models


class Category(models.TextChoices):
    HYDRATION = "hydration", "Hydration"
    MOVEMENT = "movement", "Movement"
    NUTRITION = "nutrition", "Nutrition"
    WELLNESS = "wellness", "Wellness"
    RECOVERY = "recovery", "Recovery"
    WORK = "work", "Work"
    FOCUS = "focus", "Focus"


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class TimeOfDay(models.TextChoices):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"
    ANY = "any", "Any time"


class Mode(models.TextChoices):
    HIGH = "high", "High energy"
    MEDIUM = "medium", "Medium energy"
    LOW = "low", "Low energy"


class Archetype(models.TextChoices):
    FOUNDATION_BUILDER = "Foundation Builder"
    TRANSFORMATION_SEEKER = "Transformation Seeker"
    PEAK_PERFORMER = "Peak Performer"
    SYSTEMATIC_IMPROVER = "Systematic Improver"
    RESILIENCE_REBUILDER = "Resilience Rebuilder"
    CONNECTED_EXPLORER = "Connected Explorer"


ARCHETYPES: tuple[str, ...] = tuple(Archetype.values)
MODES: tuple[str, ...] = tuple(Mode.values)
CATEGORIES: tuple[str, ...] = tuple(Category.values)
# Performance is learned per part of the day; "any" is a scheduling wildcard only.
DAY_PARTS: tuple[str, ...] = (TimeOfDay.MORNING, TimeOfDay.AFTERNOON, TimeOfDay.EVENING)
