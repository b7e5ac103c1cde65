import pytest
from rinnalla_refdata import InvalidBusinessId, is_valid_business_id, validate_business_id


def test_a_valid_business_id_is_returned_in_standard_form() -> None:
    assert validate_business_id(" 0201256-6 ") == "0201256-6"


def test_a_wrong_check_digit_is_named() -> None:
    with pytest.raises(InvalidBusinessId, match="invalid check digit"):
        validate_business_id("0201256-7")


@pytest.mark.parametrize("text", ["02012566", "201256-6", "FI02012566", "0201256 6", ""])
def test_a_malformed_business_id_shows_the_expected_shape(text: str) -> None:
    with pytest.raises(InvalidBusinessId, match="seven digits, a hyphen and a check digit"):
        validate_business_id(text)
    assert not is_valid_business_id(text)
