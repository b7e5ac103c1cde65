"""Every case-log route answers every role as its rule declares (generated from the routes)."""

from __future__ import annotations

import pytest
from caselog_api import Api
from rinnalla_security.testing import assert_access_matrix, role_token_factory

pytestmark = pytest.mark.integration


async def test_every_endpoint_answers_every_role_as_declared(api: Api) -> None:
    app = api.caselog_http._transport.app  # type: ignore[attr-defined]
    await assert_access_matrix(app, token_for=role_token_factory(api.key_dir), path_values={"municipality_code": "092"})
