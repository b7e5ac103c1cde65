"""The domain's aggregates as deciders for the event-log helpers."""

from __future__ import annotations

from typing import Any

from rinnalla_events import Decider

from rinnalla_billing.domain import account, agreement, document, erp, series, sib
from rinnalla_billing.domain.account import AccountState
from rinnalla_billing.domain.agreement import AgreementState
from rinnalla_billing.domain.document import DocumentState
from rinnalla_billing.domain.series import SeriesState


def _no_decision(state: object, command: object) -> list[Any]:
    raise TypeError("decided by the handlers over several streams")


AGREEMENT: Decider[AgreementState, Any] = Decider(
    agreement.STREAM_TYPE, agreement.initial, agreement.evolve, _no_decision
)
ACCOUNT: Decider[AccountState, Any] = Decider(account.STREAM_TYPE, account.initial, account.evolve, _no_decision)
DOCUMENT: Decider[DocumentState, Any] = Decider(document.STREAM_TYPE, document.initial, document.evolve, _no_decision)
SERIES: Decider[SeriesState, Any] = Decider(series.STREAM_TYPE, series.initial, series.evolve, _no_decision)
ERP_CLIENT: Decider[erp.ErpClientState, Any] = Decider(erp.STREAM_TYPE, erp.initial, erp.evolve, erp.decide)
SIB_CONTRACT: Decider[sib.SibState, Any] = Decider(sib.STREAM_TYPE, sib.initial, sib.evolve, _no_decision)
