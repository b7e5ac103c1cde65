from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rinnalla_refdata import (
    CENTURY_SIGNS,
    InvalidIdentityCode,
    MaskStyle,
    is_valid_hetu,
    mask_hetu,
    parse_hetu,
    validate_hetu,
)

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(born: date, sign: str, individual: int) -> str:
    """An identity code built from the published algorithm, independent of the code under test."""
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def test_the_published_example_is_valid_and_gives_the_date_of_birth() -> None:
    code = parse_hetu("131052-308T")
    assert code.value == "131052-308T"
    assert code.date_of_birth == date(1952, 10, 13)


@pytest.mark.parametrize("sign", sorted(CENTURY_SIGNS))
def test_every_century_sign_of_the_2023_reform_is_accepted(sign: str) -> None:
    born = date(CENTURY_SIGNS[sign] + 16, 1, 1)
    code = parse_hetu(make_hetu(born, sign, 123))
    assert code.date_of_birth == born
    assert code.century_sign == sign


def test_the_century_sign_is_part_of_the_identity() -> None:
    dash = validate_hetu(make_hetu(date(1994, 5, 1), "-", 234))
    y_sign = validate_hetu(make_hetu(date(1994, 5, 1), "Y", 234))
    assert dash != y_sign
    assert dash[:6] + dash[7:] == y_sign[:6] + y_sign[7:]


def test_lower_case_and_surrounding_space_are_normalised() -> None:
    assert validate_hetu("  010116a123j ") == "010116A123J"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("131052-308U", "invalid check character"),
        ("310252-308Y", "date of birth in the identity code is not a real date"),
        ("290223A002A", "date of birth in the identity code is not a real date"),
        ("010116G123J", "'G' is not a century sign"),
        ("0101", "has 11 characters"),
        ("", "has 11 characters"),
        ("AB0116A123J", "date of birth as digits"),
        ("010116A12IJ", r"individual number \(three digits\)"),
        ("010116A001J", "never issued"),
        ("010116A901J", "temporary identity codes"),
    ],
)
def test_an_invalid_code_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentityCode, match=reason):
        parse_hetu(text)
    assert not is_valid_hetu(text)


def test_temporary_codes_can_be_allowed_explicitly() -> None:
    temporary = make_hetu(date(1994, 5, 1), "Y", 902)
    assert temporary == "010594Y9021"
    assert not is_valid_hetu(temporary)
    assert parse_hetu(temporary, allow_temporary=True).date_of_birth == date(1994, 5, 1)


def test_the_reason_never_contains_the_code() -> None:
    with pytest.raises(InvalidIdentityCode) as caught:
        parse_hetu("131052-308U")
    assert "308" not in caught.value.reason


def test_the_individual_number_is_never_shown() -> None:
    code = parse_hetu("010116A123J")
    assert repr(code) == "PersonalIdentityCode('010116A****')"
    assert f"{code}" == "010116A****"
    assert code.masked(MaskStyle.KEEP_CHECK_CHARACTER) == "010116A***J"
    assert not hasattr(code, "sex")


@pytest.mark.parametrize("text", ["[erased]", "", "hello", "12345678901"])
def test_masking_something_that_is_not_a_code_hides_everything(text: str) -> None:
    assert mask_hetu(text) == "***********"


@given(
    born=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    individual=st.integers(min_value=2, max_value=899),
    data=st.data(),
)
def test_any_well_formed_code_round_trips_its_date_of_birth(born: date, individual: int, data: st.DataObject) -> None:
    century = born.year // 100 * 100
    sign = data.draw(st.sampled_from([s for s, c in CENTURY_SIGNS.items() if c == century]))
    text = make_hetu(born, sign, individual)
    assert parse_hetu(text).date_of_birth == born
    assert mask_hetu(text) == text[:7] + "****"


@given(position=st.integers(min_value=0, max_value=10), replacement=st.sampled_from("0123456789"))
def test_a_single_mistyped_digit_is_caught(position: int, replacement: str) -> None:
    original = "131052-308T"
    if position == 6 or original[position] == replacement or not original[position].isdigit():
        return
    typo = original[:position] + replacement + original[position + 1 :]
    assert not is_valid_hetu(typo)
