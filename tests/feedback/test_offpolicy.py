"""The estimators on a log small enough to compute by hand."""

import pytest

from feedback.offpolicy import LoggedEvent, evaluate, reward_model

HAND = [
    LoggedEvent("u1", 1.0, 0, (0.8, 0.2), (0.5, 0.5), ("a", "b")),
    LoggedEvent("u1", 0.0, 1, (0.8, 0.2), (0.5, 0.5), ("a", "b")),
    LoggedEvent("u2", 1.0, 0, (0.5, 0.5), (1.0, 0.0), ("a", "b")),
    LoggedEvent("u2", 1.0, 1, (0.5, 0.5), (1.0, 0.0), ("a", "b")),
]


def test_reward_model_is_smoothed_per_arm():
    model = reward_model(HAND)
    # overall 3/4; arm a: 2 of 2, arm b: 1 of 2; prior strength 5
    assert model["a"] == pytest.approx((2 + 5 * 0.75) / 7)
    assert model["b"] == pytest.approx((1 + 5 * 0.75) / 7)


def test_hand_computed_estimates():
    result = evaluate(HAND, bootstrap=50)
    # weights: 0.5/0.8, 0.5/0.2, 1/0.5, 0/0.5 -> 0.625, 2.5, 2, 0
    assert result.estimate("ips").value == pytest.approx((0.625 + 2.0) / 4)
    assert result.estimate("snips").value == pytest.approx(2.625 / 5.125)
    ra, rb = (2 + 3.75) / 7, (1 + 3.75) / 7
    dr_terms = [
        0.5 * ra + 0.5 * rb + 0.625 * (1 - ra),
        0.5 * ra + 0.5 * rb + 2.5 * (0 - rb),
        ra + 2.0 * (1 - ra),
        ra + 0.0,
    ]
    assert result.estimate("dr").value == pytest.approx(sum(dr_terms) / 4)
    assert result.logged_rate == 0.75
    assert result.users == 2
    assert result.effective_sample_size == pytest.approx(5.125**2 / (0.625**2 + 2.5**2 + 4))


def test_too_few_events_is_refused_with_reasons():
    result = evaluate(HAND, bootstrap=20)
    assert not result.supported
    assert any("too few events" in p for p in result.problems)
    assert any("effective sample size" in p for p in result.problems)


def test_no_logs_is_refused():
    result = evaluate([])
    assert not result.supported
    assert result.problems == ["no logged events with propensities"]


def test_evaluating_the_logging_policy_recovers_its_observed_rate():
    """With target == logging, every weight is 1: IPS is the observed completion rate."""
    import random

    rng = random.Random(5)
    events = [
        LoggedEvent(
            f"u{i % 40}", float(rng.random() < 0.6), i % 2, (0.7, 0.3), (0.7, 0.3), ("a", "b")
        )
        for i in range(600)
    ]
    result = evaluate(events, bootstrap=200)
    assert result.supported, result.problems
    observed = sum(e.reward for e in events) / len(events)
    for name in ("ips", "snips"):
        est = result.estimate(name)
        assert est.value == pytest.approx(observed)
        assert est.contains(observed) and est.low < est.high


def test_no_overlap_is_refused():
    """The candidate always picks a task the logger almost never plans."""
    events = [
        LoggedEvent(f"u{i % 50}", 1.0, 0, (0.999, 0.001), (0.0, 1.0), ("a", "b"))
        for i in range(400)
    ]
    result = evaluate(events, bootstrap=50)
    assert any("no overlap" in p for p in result.problems)


def test_tiny_propensities_are_refused():
    events = [
        LoggedEvent(f"u{i % 50}", 1.0, i % 2, (0.9995, 0.0005), (0.5, 0.5), ("a", "b"))
        for i in range(400)
    ]
    result = evaluate(events, bootstrap=50)
    assert any("propensities as small" in p for p in result.problems)


def test_bootstrap_is_seeded():
    events = [
        LoggedEvent(f"u{i % 30}", float(i % 2), i % 2, (0.6, 0.4), (0.4, 0.6), ("a", "b"))
        for i in range(300)
    ]
    first = evaluate(events, bootstrap=100, seed=3).estimate("dr")
    again = evaluate(events, bootstrap=100, seed=3).estimate("dr")
    assert (first.low, first.high) == (again.low, again.high)
