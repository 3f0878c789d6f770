import uuid
from datetime import date

import pytest

from routines.services import generate_plan

DAY = date(2026, 11, 24)


@pytest.fixture
def plan(task_library):
    """A stored dynamic plan for a new user on DAY (15 items, medium mode)."""
    return generate_plan(uuid.uuid4(), "Connected Explorer", DAY)
