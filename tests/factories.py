import uuid
from datetime import date, time

import factory

from feedback.models import UserTaskFeedback
from library.choices import ARCHETYPES, MODES
from library.models import Task
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem, TimeBlock


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    category = "hydration"
    subcategory = "water"
    name = factory.Sequence(lambda n: f"Task {n}")
    description = "A task used in tests."
    duration_minutes = 5
    difficulty = "beginner"
    archetype_fit = factory.LazyFunction(lambda: {a: 0.5 for a in ARCHETYPES})
    mode_fit = factory.LazyFunction(lambda: {m: 0.5 for m in MODES})
    tags = factory.LazyFunction(list)
    variation_group = "test_group"
    time_of_day_preference = "any"
    equipment_needed = factory.LazyFunction(list)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserPreferenceProfile

    user_id = factory.LazyFunction(uuid.uuid4)
    archetype = "Foundation Builder"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    user_id = factory.LazyFunction(uuid.uuid4)
    date = date(2026, 11, 24)
    archetype = "Foundation Builder"
    plan_type = "dynamic_routine"
    model_used = "task_library_v1"
    readiness_mode = "medium"
    wake_time = time(6, 0)


class TimeBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeBlock

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(lambda n: n)
    block_name = "Morning Block"
    start_time = time(6, 0)
    end_time = time(9, 0)
    zone_type = "maintenance"
    purpose = "Start your day"
    time_of_day = "morning"


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    time_block = factory.SubFactory(TimeBlockFactory)
    plan = factory.LazyAttribute(lambda item: item.time_block.plan)
    position = factory.Sequence(lambda n: n)
    user_id = factory.LazyAttribute(lambda item: item.plan.user_id)
    scheduled_date = factory.LazyAttribute(lambda item: item.plan.date)
    scheduled_time = time(6, 30)
    end_time = time(6, 35)
    title = "Morning Lemon Water"
    description = "Warm water with lemon."
    category = "hydration"
    priority = "high"
    estimated_duration_minutes = 5
    time_of_day = "morning"
    variation_group = "morning_hydration"
    is_dynamic = True


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserTaskFeedback

    plan_item = factory.SubFactory(PlanItemFactory)
    user_id = factory.LazyAttribute(lambda fb: fb.plan_item.user_id)
    scheduled_date = factory.LazyAttribute(lambda fb: fb.plan_item.scheduled_date)
    scheduled_time = factory.LazyAttribute(lambda fb: fb.plan_item.scheduled_time)
    category = "hydration"
    completed = True
