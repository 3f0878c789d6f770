from django import forms
from django.utils import timezone

from library.choices import Archetype, Mode


class PlanPreviewForm(forms.Form):
    archetype = forms.ChoiceField(choices=Archetype.choices)
    mode = forms.ChoiceField(choices=Mode.choices, initial=Mode.MEDIUM)
    date = forms.DateField(
        initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    wake_time = forms.TimeField(initial="06:00", widget=forms.TimeInput(attrs={"type": "time"}))
    user_id = forms.UUIDField(
        required=False,
        # Wide enough for a whole UUID (36 characters): a cut-off id cannot be checked.
        widget=forms.TextInput(attrs={"size": 38}),
        help_text="Optional: an existing user, to see their learned profile and rotation.",
    )
