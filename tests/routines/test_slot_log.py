"""The compact slot log: what the planner logs comes back to within float32 rounding."""

import numpy as np
import pytest

from routines import slot_log


def test_a_full_shortlist_takes_97_bytes_and_decodes_in_order():
    slot = [(n, round(p, 6)) for n, p in zip(range(1, 17), np.linspace(0.01, 0.1, 16), strict=True)]
    data = slot_log.encode(slot)
    assert len(data) == 1 + 16 * (2 + 4)
    numbers, probabilities = slot_log.decode(data)
    assert numbers.tolist() == [n for n, _ in slot]
    # float32 keeps 7 significant digits; the planner logs 6 decimals.
    assert probabilities == pytest.approx([p for _, p in slot], rel=1e-7, abs=0)


def test_numbers_past_two_bytes_switch_the_slot_to_four():
    data = slot_log.encode([(3, 0.25), (70_000, 0.75)])
    assert data[0] == 2 and len(data) == 1 + 2 * (4 + 4)
    assert slot_log.as_dict(data) == {3: 0.25, 70_000: 0.75}


def test_no_log_and_memoryview_from_postgresql():
    assert slot_log.as_dict(None) == {}
    assert slot_log.as_dict(memoryview(slot_log.encode([(9, 0.5)]))) == {9: 0.5}


@pytest.mark.parametrize("data", [b"\x07\x01\x00", b"\x01\x01\x00\x00"])
def test_unknown_or_truncated_logs_are_refused(data):
    with pytest.raises(ValueError):
        slot_log.decode(data)


def test_task_numbers_must_fit_in_32_bits():
    with pytest.raises(ValueError):
        slot_log.encode([(1 << 32, 1.0)])
