"""The pure enrollment domain: commands, events, errors and the partnership, team and child aggregates.

No I/O and no framework imports. Each aggregate module offers `STREAM_TYPE`, `initial()`,
`decide(state, command) -> list[event]` and `evolve(state, event) -> state`; `workflows` decides for
two aggregates at once where a rule spans them (enrolment, transfer, exit, team founding).
"""
