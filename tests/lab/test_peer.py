"""The MABWiser peer (lab/peer.py): it learns, it plugs into the planner, and it reads the
outcome model's view of each day."""

import numpy as np
import pytest

from lab.peer import PEER_POLICY, PeerBandit, PeerScorer, day_rewards
from library.candidates import Candidate
from library.selection import choose


def _task(task_id, subcategory, fit=0.5):
    return Candidate(
        id=task_id,
        category="focus",
        subcategory=subcategory,
        name=task_id,
        description="",
        duration_minutes=5,
        difficulty="beginner",
        variation_group=task_id,
        time_of_day="morning",
        archetype_fit={"Peak Performer": fit},
        mode_fit={},
    )


GOOD, BAD, BAD_BEST_FIT = _task("a", "reading"), _task("b", "journal"), _task("c", "journal", 1.0)
ARMS = ["focus/journal", "focus/reading"]


def _wins(scorer, cands, draws=512):
    scores = scorer.sample(cands, "morning", np.random.default_rng(0), draws)
    return np.bincount(scores.argmax(axis=0), minlength=len(cands)) / draws


def test_the_peer_learns_which_arm_the_user_completes():
    bandit = PeerBandit(ARMS, seed=1)
    scorer = PeerScorer(bandit, "Peak Performer", "medium")
    assert scorer.policy == PEER_POLICY
    assert scorer.daily_capacity is None and scorer.category_affinity is None
    cold = _wins(scorer, [GOOD, BAD])
    assert 0.35 < cold[0] < 0.65  # Beta(1, 1) on both: a coin toss
    # Both lose at first; then the reading arm is done every day and the journal never.
    bandit.learn(["focus/reading", "focus/journal"], [0, 0])
    for _ in range(10):
        bandit.learn(["focus/reading", "focus/journal", "focus/journal"], [1, 0, 0])
    assert bandit.mean("focus/reading") == pytest.approx(11 / 13)
    assert bandit.mean("focus/journal") == pytest.approx(1 / 23)
    assert _wins(scorer, [GOOD, BAD])[0] > 0.99
    assert scorer.expected([GOOD, BAD], "morning").argmax() == 0
    choice = choose(scorer, [GOOD, BAD], "morning", np.random.default_rng(4))
    assert choice.propensity > 0.95 and choice.index == 0
    breakdown = scorer.breakdown(GOOD, "morning")
    assert breakdown.learned_part == pytest.approx(11 / 13)


def test_the_update_path_is_mabwisers_partial_fit(monkeypatch):
    bandit = PeerBandit(ARMS, seed=1)
    calls = []
    original = bandit.mab.partial_fit
    monkeypatch.setattr(
        bandit.mab, "partial_fit", lambda d, r: calls.append((d, r)) or original(d, r)
    )
    bandit.learn(["focus/reading", "sleep/unknown"], [1, 1])
    bandit.learn([], [])
    assert calls == [(["focus/reading"], [1])]  # unknown arms dropped, empty days skipped


def test_tasks_of_one_arm_are_ordered_by_their_static_fit():
    bandit = PeerBandit(ARMS, seed=2)
    scorer = PeerScorer(bandit, "Peak Performer", "medium")
    wins = _wins(scorer, [BAD, BAD_BEST_FIT])
    assert wins[1] == 1.0  # the same draw for the arm; the better fit breaks the tie


@pytest.mark.django_db
@pytest.mark.parametrize("client", ["full", "completions", "mixed"])
def test_day_rewards_follow_the_outcome_model(task_library, client):
    from feedback.models import UserTaskFeedback
    from lab.results import WeekStats
    from lab.simulation import START, simulate_user
    from lab.worlds import HETEROGENEITY, make_users
    from library.selectors import active_candidates
    from routines.models import PlanItem

    candidates = active_candidates()
    arms = sorted({c.arm for c in candidates})
    by_id = {c.id: c for c in candidates}
    for user in make_users(4, 5, HETEROGENEITY["medium"], arms):
        weeks = [WeekStats()]
        user_id = simulate_user(user, "static", 1, 5, candidates, weeks, client=client)
        decisions, rewards = day_rewards(user_id, START)
        items = PlanItem.objects.filter(user_id=user_id, scheduled_date=START)
        active = UserTaskFeedback.objects.filter(user_id=user_id).exists()
        if not active:  # no feedback at all that day: nothing is learned from it
            assert decisions == [] and client != "full"
            continue
        # Every item of an active day is an outcome, its reward 1 exactly when completed.
        assert sorted(decisions) == sorted(by_id[str(i.task_library_id)].arm for i in items)
        assert sum(rewards) == weeks[0].completed and len(rewards) == weeks[0].planned
