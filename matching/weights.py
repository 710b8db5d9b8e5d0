"""Every number that shapes a suggestion, in one documented place.

A score is a weighted mean of parts that each lie in 0..1, times a few factors that also lie
in 0..1, so it stays in 0..1 whatever the weights. The weights of each kind are normalised by
their sum: only their ratios matter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# Multipliers of the whole score, not parts of the weighted mean.
_FACTORS = ("peer_far_stage_factor", "mentor_load")


@dataclass(frozen=True)
class Weights:
    # Peers: an equal a new business learns most from talking to.
    peer_sector: float = 0.25  # same sector 1, shared secondary sector, related sector: below
    peer_stage: float = 0.20  # same stage 1, one step apart `adjacent_stage`, further 0
    peer_shared_needs: float = 0.15  # cosine of the two sets of needs: the same challenges
    peer_mutual_help: float = 0.10  # needs meeting offers, each direction counts half
    peer_description: float = 0.20  # BM25 similarity of the descriptions: similar work
    peer_distance: float = 0.20  # proximity, see `Matcher.peer_radius_km`
    peer_far_stage_factor: float = 0.5  # whole peer score times this when 2+ stages apart

    # Mentors: further along, able to help with what the requester needs, near enough to meet.
    mentor_coverage: float = 0.30  # share of the requester's needs the mentor offers
    mentor_distance: float = 0.40  # proximity weighs most: meeting in person is the point
    mentor_sector: float = 0.15
    mentor_experience: float = 0.05  # stages further along, full credit from two stages
    mentor_description: float = 0.15
    mentor_load: float = 0.15  # whole mentor score times 1 / (1 + this * open introductions)

    # Partial credits shared by both kinds.
    shared_sector: float = 0.8  # a sector in common, but not the primary one of both
    related_sector: float = 0.5  # a sector in `vocab.RELATED_SECTORS`
    adjacent_stage: float = 0.6  # peers one stage apart

    # Diversity: a candidate whose features are more than `redundancy_threshold` cosine-similar
    # to one ranked above it loses up to `diversity` of its score, so near-clones sink.
    diversity: float = 0.3
    redundancy_threshold: float = 0.6

    # Below this BM25 similarity, "Similar work" is not worth saying (it still counts in the score).
    description_reason_min: float = 0.15

    def __post_init__(self) -> None:
        for f in fields(self):
            if not getattr(self, f.name) >= 0:
                raise ValueError(f"weight {f.name} must be >= 0")
        for name in (
            "peer_far_stage_factor",
            "shared_sector",
            "related_sector",
            "adjacent_stage",
            "diversity",
            "redundancy_threshold",
        ):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} is a factor and must be <= 1")
        for kind in ("peer", "mentor"):
            if not sum(self._raw(kind).values()):
                raise ValueError(f"at least one {kind} weight must be positive")
        if self.redundancy_threshold == 1:
            raise ValueError("redundancy_threshold must be < 1")

    def shares(self, kind: str) -> dict[str, float]:
        """The weights of one kind's parts, by part name, scaled to sum to 1."""
        raw = self._raw(kind)
        total = sum(raw.values())
        return {part: value / total for part, value in raw.items()}

    def _raw(self, kind: str) -> dict[str, float]:
        prefix = f"{kind}_"
        return {
            f.name.removeprefix(prefix): getattr(self, f.name)
            for f in fields(self)
            if f.name.startswith(prefix) and f.name not in _FACTORS
        }


DEFAULT_WEIGHTS = Weights()
