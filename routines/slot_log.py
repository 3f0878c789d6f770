"""A slot's logged propensities in a few bytes (plan_items.slot_log).

Every dynamic slot logs each candidate it considered with the policy's probability of it,
so off-policy evaluation can score another policy on the same logs. As JSON with task ids
that was about 600 bytes an item; here it is one format byte, then the candidates' task
numbers (library.models.Task.number) as little-endian uint16, then their probabilities as
float32: 97 bytes for the 16 candidates of a full shortlist. Task numbers above 65535 switch
the whole slot to uint32 numbers (format 2).

float32 keeps 7 significant digits; the planner rounds probabilities to 6 decimals before
logging, so decoding gives back the logged value to within 1e-7 relative, and estimates
computed from the logs agree to that rounding (tests/routines/test_slot_log.py).
"""

from collections.abc import Iterable

import numpy as np

_FORMATS = {1: np.dtype("<u2"), 2: np.dtype("<u4")}
_PROBABILITY = np.dtype("<f4")


def encode(slot: Iterable[tuple[int, float]]) -> bytes:
    """(task number, probability) pairs, in the slot's order, as bytes."""
    pairs = list(slot)
    numbers = np.array([number for number, _ in pairs], dtype=np.int64)
    if numbers.size and (numbers.min() < 0 or numbers.max() > np.iinfo(np.uint32).max):
        raise ValueError("task numbers must fit in 32 bits")
    version = 1 if not numbers.size or numbers.max() <= np.iinfo(np.uint16).max else 2
    probabilities = np.array([p for _, p in pairs], dtype=_PROBABILITY)
    return bytes([version]) + numbers.astype(_FORMATS[version]).tobytes() + probabilities.tobytes()


def decode(data: bytes | memoryview | None) -> tuple[np.ndarray, np.ndarray]:
    """(task numbers, probabilities as float64) of a logged slot; empty for no log."""
    if not data:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    data = bytes(data)
    number_type = _FORMATS.get(data[0])
    if number_type is None:
        raise ValueError(f"unknown slot log format {data[0]}")
    width = number_type.itemsize + _PROBABILITY.itemsize
    count, rest = divmod(len(data) - 1, width)
    if rest:
        raise ValueError("truncated slot log")
    split = 1 + count * number_type.itemsize
    numbers = np.frombuffer(data, dtype=number_type, count=count, offset=1).astype(np.int64)
    probabilities = np.frombuffer(data, dtype=_PROBABILITY, count=count, offset=split)
    return numbers, probabilities.astype(np.float64)


def as_dict(data: bytes | memoryview | None) -> dict[int, float]:
    """Task number -> probability: for admin pages and tests."""
    numbers, probabilities = decode(data)
    return dict(zip(numbers.tolist(), probabilities.tolist(), strict=True))
