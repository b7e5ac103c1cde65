"""docs/configuration.md documents every variable RuntimeSettings reads."""

from __future__ import annotations

from pathlib import Path

from rinnalla_runtime.settings import RuntimeSettings

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def environment_names() -> list[str]:
    names = []
    for field_name, info in RuntimeSettings.model_fields.items():
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        names.append(str(choices[0]) if choices else f"RINNALLA_{field_name.upper()}")
    return names


def test_every_setting_has_a_row_in_the_configuration_table() -> None:
    documented = DOC.read_text()
    missing = [name for name in environment_names() if f"`{name}`" not in documented]
    assert missing == []
