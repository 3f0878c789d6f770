"""What the plan preview shows per slot: static and learned parts side by side, and why
the drawn task won, in words.

For a user with a learned profile the adaptive scorer weighs the static fit by
(1 - confidence), so its archetype and mode parts shrink towards 0.000 as confidence
grows. Editors still need to see what their fit scores say, so each candidate also gets
the static scorer's parts, unweighted.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from library.scoring import JITTER, StaticScorer
from library.selection import EXPLORATION

from .layout import PLAN_SIZE
from .planning import PlannedBlock, SlotTrace
from .shaping import SLOT_STEP, DayShape


@dataclass(frozen=True, slots=True)
class CandidateRow:
    name: str
    variation_group: str
    chosen: bool
    archetype_fit: float  # the editor's number, 0..1
    mode_fit: float
    static_score: float  # 0.7 * archetype_fit + 0.3 * mode_fit
    archetype_part: float  # as the policy weighs it
    mode_part: float
    learned_part: float
    adjustment: float
    expected: float
    propensity: float | None
    swaps: int = 0  # times users swapped this task out of their plans (SWAP_COUNT_DAYS)

    @property
    def chance(self) -> str:
        return _percent(self.propensity)


@dataclass(frozen=True, slots=True)
class SlotView:
    category: str
    rows: list[CandidateRow]
    resting: list[str]
    explanation: str


@dataclass(frozen=True, slots=True)
class BlockView:
    block: PlannedBlock
    slots: list[SlotView]


# The preview's swap counts cover the last four weeks of plans: editors learn which tasks
# people refuse now, not years ago.
SWAP_COUNT_DAYS = 28


def preview_blocks(
    blocks: Sequence[PlannedBlock],
    archetype: str,
    mode: str,
    learned: bool,
    swaps: Mapping[str, int] | None = None,
) -> list[BlockView]:
    """`swaps`: task id -> times swapped out (routines.selectors.swaps_by_task)."""
    static = StaticScorer(archetype, mode)
    return [
        BlockView(block, [slot_view(slot, static, learned, swaps or {}) for slot in block.slots])
        for block in blocks
    ]


def preview_task_ids(blocks: Sequence[PlannedBlock]) -> list[str]:
    """Every task a preview shows: each slot's competitors."""
    return sorted({c.id for block in blocks for slot in block.slots for c in slot.competitors})


def slot_view(
    slot: SlotTrace, static: StaticScorer, learned: bool, swaps: Mapping[str, int] | None = None
) -> SlotView:
    swaps = swaps or {}
    rows = []
    for scored in slot.considered:
        cand, score = scored.candidate, scored.score
        plain = static.breakdown(cand, slot.time_of_day)
        rows.append(
            CandidateRow(
                name=cand.name,
                variation_group=cand.variation_group,
                chosen=slot.chosen is not None and cand.id == slot.chosen.id,
                archetype_fit=cand.archetype_fit.get(static.archetype, 0.5),
                mode_fit=cand.mode_fit.get(static.mode, 0.5),
                static_score=plain.archetype_part + plain.mode_part,
                archetype_part=score.archetype_part,
                mode_part=score.mode_part,
                learned_part=score.learned_part,
                adjustment=score.adjustment,
                expected=score.total,
                propensity=slot.propensities.get(cand.id),
                swaps=swaps.get(cand.id, 0),
            )
        )
    return SlotView(
        category=slot.category,
        rows=rows,
        resting=[c.name for c in slot.resting],
        explanation=explain_draw(rows, learned),
    )


def explain_draw(rows: Sequence[CandidateRow], learned: bool) -> str:
    """One or two sentences: did the favourite win, and if not, why that is allowed."""
    chosen = next((r for r in rows if r.chosen), None)
    if chosen is None:
        return ""
    if len(rows) == 1:
        return f"{chosen.name} was the only candidate for this slot."
    best = max(rows, key=lambda r: r.expected)
    odds = _percent(chosen.propensity)
    if best is chosen or best.expected == chosen.expected:
        return (
            f"{chosen.name} has the highest expected score ({chosen.expected:.3f}) and won "
            f"the draw, as it does in about {odds} of draws."
        )
    randomness = (
        "each plan draws the learned part from what the user's outcomes still leave "
        "uncertain (Thompson sampling) and adds jitter"
        if learned
        else f"each plan adds a random jitter of 0 to {JITTER:.1f} to every score"
    )
    return (
        f"{chosen.name} was drawn although {best.name} has the higher expected score "
        f"({best.expected:.3f} against {chosen.expected:.3f}, a gap of "
        f"{best.expected - chosen.expected:.3f}). Expected scores are averages: {randomness}, "
        f"and {EXPLORATION:.0%} of slots take a candidate at random to keep learning. "
        f"{chosen.name} wins about {odds} of draws, {best.name} about "
        f"{_percent(best.propensity)}."
    )


def explain_shape(shape: DayShape | None, policy: str, evidence: dict | None) -> list[str]:
    """Why the plan has this many tasks and this category mix, in sentences for editors."""
    if shape is None:
        return []
    fewest, most = PLAN_SIZE[shape.mode]
    if shape.capacity is None:
        why = (
            "no capacity learned yet (it needs five days with feedback in the last 14)"
            if shape.affinity is not None or policy.startswith("adaptive")
            else f"the {policy} policy always plans the mode's full layout"
        )
        lines = [f"{shape.size} tasks: the {shape.mode} mode's full plan; {why}."]
    else:
        lines = [
            f"{shape.size} tasks (the {shape.mode} mode allows {fewest} to {most}): the user's "
            f"learned capacity is {shape.capacity} tasks a day, from the tasks they complete "
            f"per day with feedback and their 'no time' skips over the last 14 days."
        ]
    affinity = shape.affinity or {}
    if not affinity:
        lines.append("Category mix: the layout's own, nothing learned about categories yet.")
    elif not shape.fewer and not shape.more:
        lines.append("Category mix: the layout's own; no category did clearly better or worse.")
    else:
        lines.append(
            "Category mix: each block keeps its first slot; the other slots go to the "
            "categories the user completes best, with a bonus of "
            f"{SLOT_STEP:.2f} per place up the layout's order."
        )
    for category, slots in shape.fewer.items():
        why = (
            f"learned completion {affinity[category]:.2f}"
            if category in affinity
            else "the layout's last places"
        )
        lines.append(f"{slots} {category} slot(s) fewer than the full layout ({why}).")
    for category, slots in shape.more.items():
        lines.append(
            f"{slots} {category} slot(s) more: learned completion {affinity.get(category, 0):.2f}."
        )
    for category in shape.kept_for_variety:
        lines.append(
            f"A {category} slot is kept although it scores low: no {category} task was planned "
            f"in the last six days, and no category disappears for a week."
        )
    forgetting = (evidence or {}).get("forgetting") or {}
    if forgetting.get("old_weight", 1.0) < 1.0:
        lines.append(
            f"The user's tastes changed (change score {forgetting['change']:.1f}): outcomes "
            f"older than a week count {forgetting['old_weight']:.0%} of a fresh one."
        )
    return lines


def _percent(probability: float | None) -> str:
    if probability is None:
        return "n/a"
    return "<1%" if 0 < probability < 0.005 else f"{probability:.0%}"
