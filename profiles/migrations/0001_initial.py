"""The preference profile moves from the feedback app to profiles: no table changes.

The table (user_preference_profile) was created by feedback 0001 and stays as it is; only
Django's record of which app owns the model moves, with its content type (so admin history
and permissions keep pointing at the same rows).
"""

import profiles.models
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="feedback", model="userpreferenceprofile")
    if not ContentType.objects.filter(app_label="profiles", model="userpreferenceprofile").exists():
        old.update(app_label="profiles")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="feedback", model="userpreferenceprofile").exists():
        ContentType.objects.filter(
            app_label="profiles", model="userpreferenceprofile"
        ).update(app_label="feedback")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0002_policy_estimates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='UserPreferenceProfile',
                    fields=[
                        ('user_id', models.UUIDField(primary_key=True, serialize=False)),
                        ('archetype', models.CharField(max_length=50)),
                        ('category_affinity', models.JSONField(default=profiles.models.default_category_affinity)),
                        ('subcategory_affinity', models.JSONField(blank=True, default=dict)),
                        ('time_of_day_performance', models.JSONField(default=profiles.models.default_time_of_day_performance)),
                        ('complexity_tolerance', models.FloatField(default=0.5)),
                        ('variety_seeking_score', models.FloatField(default=0.5)),
                        ('current_mode', models.CharField(choices=[('high', 'High energy'), ('medium', 'Medium energy'), ('low', 'Low energy')], default='medium', max_length=20)),
                        ('learning_phase', models.CharField(choices=[('discovery', 'Discovery'), ('establishment', 'Establishment'), ('mastery', 'Mastery')], default='discovery', max_length=20)),
                        ('total_tasks_completed', models.IntegerField(default=0)),
                        ('total_tasks_scheduled', models.IntegerField(default=0)),
                        ('completion_rate', models.FloatField(default=0.0)),
                        ('longest_streak', models.IntegerField(default=0)),
                        ('current_streak', models.IntegerField(default=0)),
                        ('unique_tasks_tried', models.IntegerField(default=0)),
                        ('discovery_start_date', models.DateField(blank=True, null=True)),
                        ('profile_confidence', models.FloatField(default=0.0)),
                        ('evidence', models.JSONField(blank=True, default=dict)),
                        ('timezone', models.CharField(default='UTC', max_length=64)),
                        ('last_analyzed_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'user_preference_profile',
                        'indexes': [models.Index(fields=['archetype'], name='idx_user_profile_archetype'), models.Index(fields=['learning_phase'], name='idx_user_profile_phase')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('archetype__in', ('Foundation Builder', 'Transformation Seeker', 'Peak Performer', 'Systematic Improver', 'Resilience Rebuilder', 'Connected Explorer'))), name='user_pref_profile_archetype_valid'), models.CheckConstraint(condition=models.Q(('current_mode__in', ['high', 'medium', 'low'])), name='user_pref_profile_mode_valid'), models.CheckConstraint(condition=models.Q(('learning_phase__in', ['discovery', 'establishment', 'mastery'])), name='user_pref_profile_phase_valid'), models.CheckConstraint(condition=models.Q(('completion_rate__gte', 0.0), ('completion_rate__lte', 1.0), ('profile_confidence__gte', 0.0), ('profile_confidence__lte', 1.0), ('complexity_tolerance__gte', 0.0), ('complexity_tolerance__lte', 1.0), ('variety_seeking_score__gte', 0.0), ('variety_seeking_score__lte', 1.0)), name='user_pref_profile_scores_in_unit_range'), models.CheckConstraint(condition=models.Q(('total_tasks_completed__gte', 0), ('total_tasks_scheduled__gte', 0), ('longest_streak__gte', 0), ('current_streak__gte', 0), ('unique_tasks_tried__gte', 0)), name='user_pref_profile_counts_non_negative')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
