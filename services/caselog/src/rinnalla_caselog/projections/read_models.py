"""The case log's projections."""

from __future__ import annotations

from rinnalla_events import Projection

from rinnalla_caselog.projections.casework import CaseworkProjection
from rinnalla_caselog.projections.roster import RosterProjection


def caselog_projections() -> tuple[Projection, ...]:
    return (RosterProjection(), CaseworkProjection())
