import pytest
from django.db import IntegrityError, transaction

from feedback.models import UserTaskFeedback
from profiles.models import UserPreferenceProfile
from tests.factories import FeedbackFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rating", [0, 6, 7])
def test_database_rejects_rating_outside_one_to_five(rating):
    feedback = FeedbackFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserTaskFeedback.objects.filter(pk=feedback.pk).update(satisfaction_rating=rating)


def test_database_rejects_unknown_skip_reason():
    feedback = FeedbackFactory(completed=False, skipped=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserTaskFeedback.objects.filter(pk=feedback.pk).update(skip_reason="tired")


def test_one_feedback_row_per_user_and_plan_item():
    feedback = FeedbackFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackFactory(plan_item=feedback.plan_item, user_id=feedback.user_id)


def test_profile_defaults_follow_the_spec():
    profile = ProfileFactory()
    profile.refresh_from_db()
    assert profile.category_affinity == {
        c: 0.5
        for c in ("hydration", "movement", "nutrition", "wellness", "recovery", "work", "focus")
    }
    assert profile.time_of_day_performance == {"morning": 0.5, "afternoon": 0.5, "evening": 0.5}
    assert profile.current_mode == "medium"
    assert profile.learning_phase == "discovery"
    assert profile.profile_confidence == 0.0
    assert profile.completion_rate == 0.0


@pytest.mark.parametrize(
    "field,value",
    [
        ("archetype", "Night Owl"),
        ("current_mode", "turbo"),
        ("learning_phase", "expert"),
        ("completion_rate", 1.2),
        ("profile_confidence", -0.1),
        ("current_streak", -1),
    ],
)
def test_database_rejects_invalid_profile_values(field, value):
    profile = ProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserPreferenceProfile.objects.filter(pk=profile.pk).update(**{field: value})


def test_the_database_keeps_feedback_when_its_plan_item_is_deleted():
    """Plans are replaced with plain DELETEs (routines never writes feedback): the foreign
    key itself must clear the link, on SQLite and PostgreSQL alike."""
    from django.db import connection

    feedback = FeedbackFactory()
    item_id = feedback.plan_item_id
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM plan_items WHERE id = %s",
            [
                UserTaskFeedback._meta.get_field("plan_item").target_field.get_db_prep_value(
                    item_id, connection
                )
            ],
        )
    feedback.refresh_from_db()
    assert feedback.plan_item_id is None
    assert feedback.scheduled_date is not None  # the copies stay true


def test_profile_model_lives_in_the_profiles_app():
    assert UserPreferenceProfile._meta.app_label == "profiles"
    assert UserPreferenceProfile._meta.db_table == "user_preference_profile"
