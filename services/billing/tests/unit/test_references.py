"""Every Finnish check digit billing relies on, computed by hand in the comments."""

import pytest
from rinnalla_billing.domain.errors import InvalidValue
from rinnalla_billing.domain.references import (
    business_id_check_digit,
    checked_business_id,
    checked_ovt,
    checked_peppol_id,
    finnish_reference,
    is_finnish_reference,
    is_rf_reference,
    reference_check_digit,
    rf_reference,
)
from stdnum import iso11649


def test_the_reference_check_digit_weights_7_3_1_from_the_right() -> None:
    # 1 2 3 from the right: 3*7 + 2*3 + 1*1 = 28 -> 30 - 28 = 2
    assert reference_check_digit("123") == 2
    # 1 2 3 4 5 6 1 from the right: 1*7+6*3+5*1+4*7+3*3+2*1+1*7 = 76 -> 4
    assert reference_check_digit("1234561") == 4
    # 1 0 0 0: 0*7+0*3+0*1+1*7 = 7 -> 3
    assert reference_check_digit("1000") == 3
    # a sum that is a multiple of ten already takes 0: 5 5 from the right: 5*7 + 5*3 = 50 -> 0
    assert reference_check_digit("55") == 0


def test_a_reference_is_the_base_and_its_check_digit() -> None:
    assert finnish_reference("123") == "1232"
    assert finnish_reference("2026000001") == "20260000011"
    assert is_finnish_reference("1232")
    assert is_finnish_reference("1234 5614")
    assert not is_finnish_reference("1233")
    assert not is_finnish_reference("123")  # too short: at least 4 digits with the check digit
    with pytest.raises(ValueError, match="3 to 19 digits"):
        finnish_reference("0123")
    with pytest.raises(ValueError, match="3 to 19 digits"):
        finnish_reference("12")


def test_the_rf_form_is_iso_11649() -> None:
    # "1232" + "RF00" -> 1232 27 15 00 = 1232271500 mod 97 = 87 -> 98 - 87 = 11
    assert rf_reference("1232") == "RF111232"
    assert rf_reference("20260000011") == "RF6620260000011"
    assert is_rf_reference("RF11 1232")
    assert not is_rf_reference("RF12 1232")
    for reference in ("1232", "12345614", "20260000011", "10003"):
        assert iso11649.is_valid(rf_reference(reference))  # an independent implementation agrees
    with pytest.raises(ValueError, match="not a valid Finnish reference"):
        rf_reference("1233")


def test_the_business_id_check_digit() -> None:
    # 0124610: 0*7+1*9+2*10+4*5+6*8+1*4+0*2 = 101 -> 101 mod 11 = 2 -> 11 - 2 = 9: 0124610-9 (City of Vantaa)
    assert business_id_check_digit("0124610") == 9
    # 0201256: 0+18+0+5+16+20+12 = 71 -> 71 mod 11 = 5 -> 6
    assert business_id_check_digit("0201256") == 6
    # remainder 0 gives 0: 1567535: 7+45+60+35+40+12+10 = 209 = 19 * 11 -> 0
    assert business_id_check_digit("1567535") == 0
    # remainder 1 gives none: 0000030: 3*4 = 12 = 11 + 1, so no business ID starts 0000030
    assert business_id_check_digit("0000030") is None
    assert checked_business_id("0124610-9", "business_id") == "0124610-9"
    with pytest.raises(InvalidValue, match="not a valid Y-tunnus"):
        checked_business_id("0124610-8", "payers[0].business_id")


def test_an_ovt_code_embeds_a_valid_business_id() -> None:
    assert checked_ovt("003701246109", "x") == "003701246109"
    assert checked_ovt("0037 0124 6109 KIRJA", "x") == "003701246109KIRJA"
    assert checked_ovt("003701246109", "x", business_id="0124610-9") == "003701246109"
    with pytest.raises(InvalidValue, match="wrong check digit"):
        checked_ovt("003701246108", "x")
    with pytest.raises(InvalidValue, match="not an OVT code"):
        checked_ovt("004401246109", "x")
    with pytest.raises(InvalidValue, match="not of the payer's Y-tunnus"):
        checked_ovt("003702012566", "x", business_id="0124610-9")


def test_a_peppol_id_is_in_the_ovt_scheme_0216() -> None:
    assert checked_peppol_id("0216:003701246109", "x") == "0216:003701246109"
    with pytest.raises(InvalidValue, match="scheme 0216"):
        checked_peppol_id("0037:003701246109", "x")
    with pytest.raises(InvalidValue, match="scheme 0216"):
        checked_peppol_id("003701246109", "x")
    with pytest.raises(InvalidValue, match="wrong check digit"):
        checked_peppol_id("0216:003701246100", "payers[1].peppol_id")
