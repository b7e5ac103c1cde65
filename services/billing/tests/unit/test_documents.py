"""The e-invoicing documents: valid against the UBL 2.1 XSDs and the Finvoice 3.0 XSD, and the rules they
rely on checked one by one (sums to the cent, VAT category E with its reason, buyer reference, endpoint
scheme 0216, the credit note's reference to the invoice, Finvoice's decimal comma and dates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from billing_builders import facts, team
from lxml import etree
from peppol.rules import check_rules
from peppol.xsd import SCHEMA_DIR
from rinnalla_billing.adapters.documents import NotIssued, finvoice, finvoice_amount, peppol_ubl
from rinnalla_billing.domain import document
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.periods import Frequency
from test_runs import Books, set_up

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
FINVOICE_XSD = Path(__file__).parents[1] / "resources" / "Finvoice3.0.xsd"


@cache
def schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def valid(xml: bytes, xsd: str) -> etree._Element:
    tree = etree.fromstring(xml)
    checker = schema(xsd)
    assert checker.validate(tree), [error.message for error in checker.error_log]
    return tree


def ubl_valid(xml: bytes) -> etree._Element:
    name = etree.QName(etree.fromstring(xml)).localname
    return valid(xml, f"{SCHEMA_DIR}/maindoc/UBL-{name}-2.1.xsd")


def issued_books() -> tuple[Books, list[str], list[str]]:
    """Q2 invoiced to both payers; team t2 found to have ended on 31 March; Q3 with its credit notes."""
    books = Books()
    terms = set_up(Frequency.QUARTERLY)
    q2 = books.run(terms, facts(team("t1"), team("t2", activated_on=date(2026, 1, 15))), "2026-Q2")
    for document_id in q2:
        books.issue(document_id, date(2026, 4, 1))
    late = facts(team("t1"), team("t2", activated_on=date(2026, 1, 15), ended_on=date(2026, 3, 31)))
    q3 = books.run(terms, late, "2026-Q3")
    for document_id in q3:
        books.issue(document_id, date(2026, 7, 1))
    return books, q2, q3


def amount(tree: etree._Element, path: str) -> Decimal:
    return Decimal(tree.findtext(path, namespaces=NS))


def test_the_invoice_is_valid_ubl_and_its_sums_agree_to_the_cent() -> None:
    books, q2, _ = issued_books()
    tree = ubl_valid(peppol_ubl(books.documents[q2[0]]))
    lines = [Decimal(x) for x in tree.xpath("cac:InvoiceLine/cbc:LineExtensionAmount/text()", namespaces=NS)]
    assert lines == [Decimal("7500.00"), Decimal("7500.00")]
    total = amount(tree, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")
    assert total == sum(lines) == Decimal("15000.00")
    assert amount(tree, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == total
    assert amount(tree, "cac:TaxTotal/cbc:TaxAmount") == Decimal("0.00")
    assert amount(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == total
    assert amount(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == total
    assert amount(tree, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == total
    for line in tree.xpath("cac:InvoiceLine", namespaces=NS):
        quantity = Decimal(line.findtext("cbc:InvoicedQuantity", namespaces=NS))
        assert amount(line, "cac:Price/cbc:PriceAmount") * quantity == amount(line, "cbc:LineExtensionAmount")
    assert {a.get("currencyID") for a in tree.xpath("//*[@currencyID]")} == {"EUR"}


def test_the_invoice_carries_what_peppol_and_the_erp_rely_on() -> None:
    books, q2, _ = issued_books()
    state = books.documents[q2[0]]
    tree = ubl_valid(peppol_ubl(state))
    assert tree.findtext("cbc:CustomizationID", namespaces=NS) == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert tree.findtext("cbc:ProfileID", namespaces=NS) == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert tree.findtext("cbc:ID", namespaces=NS) == "2026000001"
    assert tree.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert tree.findtext("cbc:IssueDate", namespaces=NS) == "2026-04-01"
    assert tree.findtext("cbc:DueDate", namespaces=NS) == "2026-04-22"
    assert tree.findtext("cbc:BuyerReference", namespaces=NS) == "VANTAA-KASVATUS-42"
    for role, ovt in (("AccountingSupplierParty", "003722283574"), ("AccountingCustomerParty", "003701246109")):
        endpoint = tree.find(f"cac:{role}/cac:Party/cbc:EndpointID", namespaces=NS)
        assert (endpoint.get("schemeID"), endpoint.text) == ("0216", ovt)
    assert tree.findtext("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
                         namespaces=NS) == "FI22283574"
    legal = tree.find("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS)
    assert (legal.get("schemeID"), legal.text) == ("0212", "0124610-9")
    category = tree.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", namespaces=NS)
    assert category.findtext("cbc:ID", namespaces=NS) == "E"
    assert category.findtext("cbc:Percent", namespaces=NS) == "0"
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-132-1G"
    assert category.findtext("cbc:TaxExemptionReason", namespaces=NS)
    assert tree.xpath("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()", namespaces=NS) == ["E", "E"]
    assert tree.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS) == "20260000011"
    assert tree.findtext("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == "FI2112345600000785"
    # teams and periods, never a child
    assert tree.xpath("cac:InvoiceLine/cac:Item/cbc:Name/text()", namespaces=NS) == [
        "Team Team t1 2026-Q2", "Team Team t2 2026-Q2",
    ]


def test_the_validator_package_s_subset_of_the_bis_rules_finds_nothing() -> None:
    books, q2, q3 = issued_books()
    for document_id in (*q2, *q3):
        assert check_rules(peppol_ubl(books.documents[document_id])) == []


def test_the_credit_note_is_valid_ubl_and_cites_the_invoice() -> None:
    books, _, q3 = issued_books()
    credit_id = next(d for d in q3 if books.drafted(d).kind is e.DocumentKind.CREDIT_NOTE)
    credit = books.documents[credit_id]
    tree = ubl_valid(peppol_ubl(credit))
    assert etree.QName(tree).localname == "CreditNote"
    assert tree.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    cited = books.documents[credit.drafted.cites.invoice_id].issued  # type: ignore[union-attr]
    assert tree.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == cited.number
    assert tree.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate",
                         namespaces=NS) == "2026-04-01"
    assert amount(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("7500.00")
    assert amount(tree, "cac:CreditNoteLine/cbc:LineExtensionAmount") == Decimal("7500.00")
    assert tree.findtext("cac:CreditNoteLine/cac:InvoicePeriod/cbc:StartDate", namespaces=NS) == "2026-04-01"


def test_a_standard_rated_invoice_states_its_vat() -> None:
    books = Books()
    terms = set_up(Frequency.HALF_YEARLY, vat={"category": "S", "rate_basis_points": 2550})
    [city, _] = books.run(terms, facts(team("t1"), team("t2")), "2026-H1")
    books.issue(city)
    tree = ubl_valid(peppol_ubl(books.documents[city]))
    # 30,000.00 * 25.5 % = 7,650.00
    assert amount(tree, "cac:TaxTotal/cbc:TaxAmount") == Decimal("7650.00")
    assert amount(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("37650.00")
    assert tree.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", namespaces=NS) == "25.50"
    assert tree.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode", namespaces=NS) is None


def test_the_finvoice_invoice_is_valid_with_decimal_commas_and_ccyymmdd_dates() -> None:
    books, q2, _ = issued_books()
    tree = valid(finvoice(books.documents[q2[0]]), str(FINVOICE_XSD))
    assert tree.get("Version") == "3.0"
    details = tree.find("InvoiceDetails")
    assert details.findtext("InvoiceTypeCode") == "INV01"
    assert details.findtext("InvoiceNumber") == "2026000001"
    date_element = details.find("InvoiceDate")
    assert (date_element.text, date_element.get("Format")) == ("20260401", "CCYYMMDD")
    assert details.findtext("PaymentTermsDetails/InvoiceDueDate") == "20260422"
    assert details.findtext("InvoiceTotalVatExcludedAmount") == "15000,00"
    assert details.findtext("InvoiceTotalVatIncludedAmount") == "15000,00"
    assert details.findtext("BuyerReferenceIdentifier") == "VANTAA-KASVATUS-42"
    assert details.findtext("VatSpecificationDetails/VatCode") == "E"
    assert details.findtext("VatSpecificationDetails/VatExemptionReasonCode") == "VATEX-EU-132-1G"
    assert tree.xpath("InvoiceRow/RowAmount/text()") == ["7500,00", "7500,00"]
    assert tree.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier") == "20260000011"
    assert tree.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount") == "15000,00"
    assert tree.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate") == "20260422"
    assert tree.findtext("EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID") == "FI2112345600000785"


def test_the_finvoice_credit_note_is_negative_and_cites_the_invoice() -> None:
    books, _, q3 = issued_books()
    credit_id = next(d for d in q3 if books.drafted(d).kind is e.DocumentKind.CREDIT_NOTE)
    credit = books.documents[credit_id]
    tree = valid(finvoice(credit), str(FINVOICE_XSD))
    details = tree.find("InvoiceDetails")
    assert details.findtext("InvoiceTypeCode") == "INV02"
    cited = books.documents[credit.drafted.cites.invoice_id].issued  # type: ignore[union-attr]
    assert details.findtext("OriginalInvoiceNumber") == cited.number
    assert details.findtext("OriginalInvoiceDate") == "20260401"
    assert details.findtext("InvoiceTotalVatIncludedAmount") == "-7500,00"
    assert tree.xpath("InvoiceRow/RowAmount/text()") == ["-7500,00"]


def test_a_prorated_amount_keeps_its_cents_in_both_documents() -> None:
    books = Books()
    [city, _] = books.run(set_up(), facts(team("t1"), team("t2", activated_on=date(2026, 4, 1))), "2026-H1")
    books.issue(city)
    ubl = ubl_valid(peppol_ubl(books.documents[city]))
    assert ubl.xpath("cac:InvoiceLine/cbc:LineExtensionAmount/text()", namespaces=NS) == ["15000.00", "7541.44"]
    assert amount(ubl, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("22541.44")
    fin = valid(finvoice(books.documents[city]), str(FINVOICE_XSD))
    assert fin.findtext("InvoiceDetails/InvoiceTotalVatIncludedAmount") == "22541,44"


def test_finvoice_amounts_use_a_decimal_comma() -> None:
    assert finvoice_amount(1_500_000) == "15000,00"
    assert finvoice_amount(5) == "0,05"
    assert finvoice_amount(-754_144) == "-7541,44"


def test_a_draft_has_no_document_yet() -> None:
    books = Books()
    [city, _] = books.run(set_up(), facts(team("t1"), team("t2")), "2026-H1")
    with pytest.raises(NotIssued):
        peppol_ubl(books.documents[city])
    with pytest.raises(NotIssued):
        finvoice(document.initial())
