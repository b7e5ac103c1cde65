"""The dashboards' counts for one municipality, suppressed with the security library's `suppress`.

Each dashboard is a table of counts with the totals a reader can add up from it; `suppress` hides every
count of 1-4 and enough others that none of them can be worked out from those totals. The projection calls
`refresh` for a municipality after every event that touches it (inside the event's transaction), so the
`dash_*` tables and the `v_*` views over them never hold an unsuppressed count.

The tables share the teams' sizes (active children): the team overview decides which sizes are shown, and
the consent coverage and the enrolment of a team with one cohort hide the same sizes and never lean on a shown
one to protect a hidden count (`suppress(hide=..., known=...)`); the participation coverage is the team
overview's own table. A team with children of several cohorts is not linked this way (see the README).

| Dashboard | Rows x columns (and their totals) |
|---|---|
| team overview | teams x {with, without a participation consent} (row total: the size); waiting list per team |
| consent coverage | per purpose: teams x {in force, not in force} (row total: active children) |
| enrolment | (team, cohort) x status (active, exited, completed) |
| exits | exit reasons (total: all exits) |
| selection pipeline | nominating preschool x selection stage |
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rinnalla_consent import Purpose
from rinnalla_events import Tables
from rinnalla_security import TOTAL, SuppressedTable, suppress, suppress_counts

from rinnalla_enrollment.projections.tables import IN_FORCE_NOW, PIPELINE_STAGES

ENROLMENT_STATUSES = ("active", "exited", "completed")
_CONSENT_COLUMNS = ("in_force", "not_in_force")


async def refresh(conn: Any, t: Tables, municipality_code: str) -> None:
    """Recompute every dashboard's rows of one municipality."""
    for table in ("dash_team_overview", "dash_consent_coverage", "dash_enrolment", "dash_exits",
                  "dash_selection_pipeline"):
        await conn.execute(f"DELETE FROM {t[table]} WHERE municipality_code = $1", municipality_code)
    sizes = await _team_overview(conn, t, municipality_code)
    await _consent_coverage(conn, t, municipality_code, sizes)
    await _enrolment(conn, t, municipality_code, sizes)
    await _exits(conn, t, municipality_code)
    await _selection_pipeline(conn, t, municipality_code)


class Sizes:
    """The teams' sizes as the team overview shows them: which are hidden, which are known to every reader,
    and the overview's participation-consent table."""

    def __init__(self, table: SuppressedTable[str, str] | None = None) -> None:
        self.table = table
        teams = table.rows if table is not None else ()
        self.hidden = {team for team in teams if table is not None and table.row_total(team) is None}
        self.shown = set(teams) - self.hidden

    def hide(self, row_of: dict[str, Any]) -> set[tuple[object, object]]:
        return {(row, TOTAL) for team, row in row_of.items() if team in self.hidden}

    def known(self, row_of: dict[str, Any]) -> set[tuple[object, object]]:
        return {(row, TOTAL) for team, row in row_of.items() if team in self.shown}


async def _team_overview(conn: Any, t: Tables, m: str) -> Sizes:
    teams = await conn.fetch(
        f"""SELECT tm.team_id, tm.county_code, tm.name, tm.area, tm.status, tm.max_size,
                   (SELECT count(*) FROM {t['team_mentors']} x
                     WHERE x.team_id = tm.team_id AND x.role = 'lead' AND x.ended_on IS NULL) AS leads,
                   (SELECT count(*) FROM {t['team_mentors']} x
                     WHERE x.team_id = tm.team_id AND x.end_reason = 'handed_over') AS handovers
              FROM {t['teams']} tm WHERE tm.municipality_code = $1 ORDER BY tm.team_id""",
        m,
    )
    if not teams:
        return Sizes()
    ids = [team["team_id"] for team in teams]
    consented = {
        row["team_id"]: (row["with_consent"], row["size"] - row["with_consent"])
        for row in await conn.fetch(
            f"""SELECT c.team_id, count(*) AS size, count(*) FILTER (WHERE {IN_FORCE_NOW}) AS with_consent
                  FROM {t['children']} c
                  LEFT JOIN {t['consent_status']} cs ON cs.child_id = c.child_id AND cs.purpose = 'participation'
                 WHERE c.status = 'active' AND c.municipality_code = $1 GROUP BY c.team_id""",
            m,
        )
    }
    waiting = {
        row["team_id"]: row["n"]
        for row in await conn.fetch(
            f"""SELECT considered_team_id AS team_id, count(*) AS n FROM {t['children']}
                 WHERE status = 'waitlisted' AND municipality_code = $1 GROUP BY considered_team_id""",
            m,
        )
    }
    counts = {}
    for team_id in ids:
        yes, no = consented.get(team_id, (0, 0))
        counts[(team_id, "with")] = yes
        counts[(team_id, "without")] = no
    table: SuppressedTable[str, str] = suppress(counts, rows=ids, columns=["with", "without"])
    waitlisted, _ = suppress_counts({team_id: waiting.get(team_id, 0) for team_id in ids}, keys=ids)
    rows = []
    for team in teams:
        team_id = team["team_id"]
        values = (table.row_total(team_id), table.cell(team_id, "with"), table.cell(team_id, "without"),
                  waitlisted[team_id])
        rows.append((
            m, team_id, team["county_code"], team["name"], team["area"], team["status"], team["max_size"], *values,
            team["leads"] == 0 and team["status"] in ("forming", "active"), team["handovers"],
            any(value is None for value in values),
        ))
    await conn.executemany(
        f"INSERT INTO {t['dash_team_overview']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        rows,
    )
    return Sizes(table)


async def _consent_coverage(conn: Any, t: Tables, m: str, sizes: Sizes) -> None:
    # Every active child counts for every purpose (no consent recorded: not in force), so each table's row
    # totals are the teams' sizes.
    records = await conn.fetch(
        f"""SELECT c.team_id, p.purpose,
                   count(*) FILTER (WHERE {IN_FORCE_NOW}) AS in_force,
                   count(*) FILTER (WHERE ({IN_FORCE_NOW}) IS NOT TRUE) AS not_in_force
              FROM {t['children']} c
              CROSS JOIN unnest($2::text[]) AS p(purpose)
              LEFT JOIN {t['consent_status']} cs ON cs.child_id = c.child_id AND cs.purpose = p.purpose
             WHERE c.status = 'active' AND c.municipality_code = $1
             GROUP BY c.team_id, p.purpose""",
        m, [p.value for p in Purpose],
    )
    by_purpose: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in records:
        for column in _CONSENT_COLUMNS:
            by_purpose[row["purpose"]][(row["team_id"], column)] = row[column]
    rows = []
    for purpose in (p.value for p in Purpose):
        counts = by_purpose.get(purpose)
        if not counts:
            continue
        if purpose == Purpose.PARTICIPATION.value and sizes.table is not None:
            overview = sizes.table  # the same table as the team overview's: the same numbers shown
            cells = {team: (overview.cell(team, "with"), overview.cell(team, "without"), overview.row_total(team))
                     for team in {team for team, _ in counts}}
        else:
            teams = {team: team for team, _ in counts}
            table: SuppressedTable[str, str] = suppress(
                counts, columns=_CONSENT_COLUMNS, hide=sizes.hide(teams), known=sizes.known(teams)
            )
            cells = {team: (table.cell(team, "in_force"), table.cell(team, "not_in_force"), table.row_total(team))
                     for team in table.rows}
        for team_id, values in sorted(cells.items()):
            rows.append((m, team_id, purpose, *values, any(value is None for value in values)))
    await conn.executemany(
        f"INSERT INTO {t['dash_consent_coverage']} VALUES ($1, $2, $3, $4, $5, $6, $7)", rows
    )


async def _enrolment(conn: Any, t: Tables, m: str, sizes: Sizes) -> None:
    records = await conn.fetch(
        f"""SELECT tm.team_id, tm.name AS team_name, c.birth_year AS cohort, c.status, count(*) AS n
              FROM {t['children']} c JOIN {t['teams']} tm ON tm.team_id = c.team_id
             WHERE c.status = ANY($2::text[]) AND tm.municipality_code = $1
             GROUP BY tm.team_id, tm.name, c.birth_year, c.status""",
        m, list(ENROLMENT_STATUSES),
    )
    counts = {((r["team_id"], r["team_name"], r["cohort"]), r["status"]): r["n"] for r in records}
    if not counts:
        return
    # A team whose children are of one cohort: its active count there is the team's size.
    cohorts: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    for row in dict.fromkeys(row for row, _ in counts):
        cohorts[row[0]].append(row)
    single = {team: rows[0] for team, rows in cohorts.items() if len(rows) == 1}
    table: SuppressedTable[tuple[str, str, int | None], str] = suppress(
        counts, columns=ENROLMENT_STATUSES,
        hide={(row, "active") for team, row in single.items() if team in sizes.hidden},
        known={(row, "active") for team, row in single.items() if team in sizes.shown},
    )
    rows = []
    for (team_id, team_name, cohort) in table.rows:
        for status in ENROLMENT_STATUSES:
            value = table.cell((team_id, team_name, cohort), status)
            if value == 0:
                continue  # nobody: shown by its absence
            rows.append((m, team_id, team_name, cohort, status, value, value is None))
    await conn.executemany(f"INSERT INTO {t['dash_enrolment']} VALUES ($1, $2, $3, $4, $5, $6, $7)", rows)


async def _exits(conn: Any, t: Tables, m: str) -> None:
    records = await conn.fetch(
        f"SELECT exit_reason, count(*) AS n FROM {t['children']} WHERE status = 'exited' AND municipality_code = $1"
        " GROUP BY exit_reason",
        m,
    )
    if not records:
        return
    counts, _ = suppress_counts({row["exit_reason"]: row["n"] for row in records})
    await conn.executemany(
        f"INSERT INTO {t['dash_exits']} VALUES ($1, $2, $3, $4)",
        [(m, reason, value, value is None) for reason, value in counts.items()],
    )


async def _selection_pipeline(conn: Any, t: Tables, m: str) -> None:
    stages = ", ".join(f"count(*) FILTER (WHERE {test}) AS {column}" for column, test in PIPELINE_STAGES.items())
    records = await conn.fetch(
        f"""SELECT c.preschool, c.preschool_code, {stages} FROM {t['children']} c
             WHERE c.municipality_code = $1 GROUP BY c.preschool, c.preschool_code""",
        m,
    )
    counts = {((r["preschool"], r["preschool_code"]), stage): r[stage] for r in records for stage in PIPELINE_STAGES}
    if not counts:
        return
    table: SuppressedTable[tuple[str, str], str] = suppress(counts, columns=PIPELINE_STAGES)
    rows = []
    for preschool, code in table.rows:
        values = [table.cell((preschool, code), stage) for stage in PIPELINE_STAGES]
        rows.append((m, preschool, code, *values, any(value is None for value in values)))
    await conn.executemany(
        f"INSERT INTO {t['dash_selection_pipeline']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", rows
    )

