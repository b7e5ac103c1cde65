"""An issued invoice or credit note as the e-invoicing documents municipal ERPs take in: Peppol BIS Billing
3.0 (UBL 2.1 Invoice and CreditNote) and Finvoice 3.0.

What the documents rely on, and the tests check:
- sums to the cent: the lines' amounts (integer cents) are the line extension amount, the tax-exclusive and
  (with the VAT, itself rounded half up once on the total) the tax-inclusive and payable amounts;
- VAT category E with its exemption reason code and text when the agreement is exempt (the default);
- the buyer reference, the seller's and buyer's endpoints in the scheme 0216 (OVT), the legal registration
  ids in the scheme 0212 (Finnish business id), the seller's VAT id (FI + the Y-tunnus' digits);
- a credit note cites the invoice it corrects (UBL BillingReference, Finvoice OriginalInvoiceNumber);
- Finvoice writes amounts with a decimal comma and dates as CCYYMMDD.
The lines name teams and periods, never children.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from rinnalla_billing.domain.document import DocumentState
from rinnalla_billing.domain.events import ChargeLine, DocumentDrafted, DocumentIssued, DocumentKind, LineItem
from rinnalla_billing.domain.money import euros
from rinnalla_billing.domain.values import VatCategory

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
FINNISH_BUSINESS_ID_SCHEME = "0212"
OVT_SCHEME = "0216"
CURRENCY = "EUR"
SEPA_CREDIT_TRANSFER = "58"


class NotIssued(Exception):
    """Only an issued document (with its number and reference) has e-invoicing documents."""


def _issued(state: DocumentState) -> tuple[DocumentDrafted, DocumentIssued]:
    if state.drafted is None or state.issued is None:
        raise NotIssued()
    return state.drafted, state.issued


def _vat_id(business_id: str) -> str:
    return "FI" + business_id.replace("-", "")


def _percent(basis_points: int) -> str:
    whole, rest = divmod(basis_points, 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


def _name(line: ChargeLine) -> str:
    if line.item is LineItem.OUTCOME_PAYMENT:
        return f"Outcome payment: {line.team_name} {line.period}"[:100]
    return f"Team {line.team_name} {line.period}"[:100]


def _description(line: ChargeLine) -> str:
    if line.item is LineItem.OUTCOME_PAYMENT:
        return (
            f"Outcome payment for the verified result of {line.team_name}, measurement period {line.period} "
            f"({line.period_start.isoformat()} to {line.period_end.isoformat()})"
        )
    return (
        f"{line.team_name}, {line.period} ({line.period_start.isoformat()} to {line.period_end.isoformat()}, "
        f"{line.active_days} of {line.period_days} days)"
    )


# --- Peppol BIS Billing 3.0 (UBL 2.1) ----------------------------------------------------------------


class _Ubl:
    def __init__(self, root: etree._Element) -> None:
        self.root = root

    @staticmethod
    def cbc(parent: etree._Element, name: str, text: str, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
        element.text = text
        return element

    @staticmethod
    def cac(parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(parent: etree._Element, name: str, cents: int) -> None:
    _Ubl.cbc(parent, name, euros(cents), currencyID=CURRENCY)


def _party(parent: etree._Element, role: str, name: str, business_id: str, peppol_id: str, *, seller: bool) -> None:
    party = _Ubl.cac(_Ubl.cac(parent, role), "Party")
    _Ubl.cbc(party, "EndpointID", peppol_id.split(":", 1)[1], schemeID=OVT_SCHEME)
    identification = _Ubl.cac(party, "PartyIdentification")
    _Ubl.cbc(identification, "ID", peppol_id.split(":", 1)[1], schemeID=OVT_SCHEME)
    _Ubl.cbc(_Ubl.cac(party, "PartyName"), "Name", name)
    address = _Ubl.cac(party, "PostalAddress")
    _Ubl.cbc(_Ubl.cac(address, "Country"), "IdentificationCode", "FI")
    if seller:
        tax_scheme = _Ubl.cac(party, "PartyTaxScheme")
        _Ubl.cbc(tax_scheme, "CompanyID", _vat_id(business_id))
        _Ubl.cbc(_Ubl.cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = _Ubl.cac(party, "PartyLegalEntity")
    _Ubl.cbc(legal, "RegistrationName", name)
    _Ubl.cbc(legal, "CompanyID", business_id, schemeID=FINNISH_BUSINESS_ID_SCHEME)


def _tax_category(parent: etree._Element, name: str, drafted: DocumentDrafted) -> None:
    category = _Ubl.cac(parent, name)
    vat = drafted.vat
    _Ubl.cbc(category, "ID", vat.category.value)
    _Ubl.cbc(category, "Percent", _percent(vat.rate_basis_points))
    if vat.category is VatCategory.EXEMPT and name == "TaxCategory":
        _Ubl.cbc(category, "TaxExemptionReasonCode", vat.exemption_reason_code)
        _Ubl.cbc(category, "TaxExemptionReason", vat.exemption_reason)
    _Ubl.cbc(_Ubl.cac(category, "TaxScheme"), "ID", "VAT")


def peppol_ubl(state: DocumentState) -> bytes:
    """The Peppol BIS Billing 3.0 document: a UBL Invoice, or a UBL CreditNote citing the invoice."""
    drafted, issued = _issued(state)
    credit = drafted.kind is DocumentKind.CREDIT_NOTE
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
                         nsmap={None: namespace, "cac": CAC, "cbc": CBC})
    cbc, cac = _Ubl.cbc, _Ubl.cac
    cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    cbc(root, "ProfileID", PROFILE_ID)
    cbc(root, "ID", issued.number)
    cbc(root, "IssueDate", issued.issued_on.isoformat())
    if credit:
        cbc(root, "CreditNoteTypeCode", "381")
    else:
        cbc(root, "DueDate", issued.due_on.isoformat())
        cbc(root, "InvoiceTypeCode", "380")
    cbc(root, "Note", f"Partnership agreement {drafted.agreement_id}, {drafted.run_period}")
    cbc(root, "DocumentCurrencyCode", CURRENCY)
    cbc(root, "BuyerReference", drafted.payer.buyer_reference)
    period = cac(root, "InvoicePeriod")
    cbc(period, "StartDate", min(line.period_start for line in drafted.lines).isoformat())
    cbc(period, "EndDate", max(line.period_end for line in drafted.lines).isoformat())
    if drafted.cites is not None:
        cited = cac(cac(root, "BillingReference"), "InvoiceDocumentReference")
        cbc(cited, "ID", drafted.cites.invoice_number)
        cbc(cited, "IssueDate", drafted.cites.issued_on.isoformat())
    _party(root, "AccountingSupplierParty", drafted.seller.name, drafted.seller.business_id, drafted.seller.peppol_id,
           seller=True)
    _party(root, "AccountingCustomerParty", drafted.payer.name, drafted.payer.business_id, drafted.payer.peppol_id,
           seller=False)
    if not credit:
        means = cac(root, "PaymentMeans")
        cbc(means, "PaymentMeansCode", SEPA_CREDIT_TRANSFER)
        cbc(means, "PaymentID", issued.reference)
        account = cac(means, "PayeeFinancialAccount")
        cbc(account, "ID", drafted.seller.iban)
        cbc(cac(account, "FinancialInstitutionBranch"), "ID", drafted.seller.bic)
        cbc(cac(root, "PaymentTerms"), "Note", f"{drafted.payment_terms_days} days net, reference {issued.reference}")
    total, vat_cents = drafted.total_cents, drafted.vat_cents
    tax_total = cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", vat_cents)
    subtotal = cac(tax_total, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", total)
    _amount(subtotal, "TaxAmount", vat_cents)
    _tax_category(subtotal, "TaxCategory", drafted)
    monetary = cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", total)
    _amount(monetary, "TaxExclusiveAmount", total)
    _amount(monetary, "TaxInclusiveAmount", total + vat_cents)
    _amount(monetary, "PayableAmount", total + vat_cents)
    for number, line in enumerate(drafted.lines, start=1):
        amount = abs(line.amount_cents)
        row = cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        cbc(row, "ID", str(number))
        cbc(row, "CreditedQuantity" if credit else "InvoicedQuantity", "1", unitCode="C62")
        _amount(row, "LineExtensionAmount", amount)
        line_period = cac(row, "InvoicePeriod")
        cbc(line_period, "StartDate", line.period_start.isoformat())
        cbc(line_period, "EndDate", line.period_end.isoformat())
        item = cac(row, "Item")
        cbc(item, "Description", _description(line))
        cbc(item, "Name", _name(line))
        _tax_category(item, "ClassifiedTaxCategory", drafted)
        _amount(cac(row, "Price"), "PriceAmount", amount)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- Finvoice 3.0 ------------------------------------------------------------------------------------


def finvoice_amount(cents: int) -> str:
    """Finvoice's amounts: a decimal comma, two decimals (`15000,00`, `-7500,00`)."""
    return euros(cents).replace(".", ",")


def finvoice_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _el(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element


def _fin_amount(parent: etree._Element, name: str, cents: int) -> None:
    _el(parent, name, finvoice_amount(cents), AmountCurrencyIdentifier=CURRENCY)


def _fin_date(parent: etree._Element, name: str, day: date) -> None:
    _el(parent, name, finvoice_date(day), Format="CCYYMMDD")


def finvoice(state: DocumentState) -> bytes:
    """The Finvoice 3.0 message: an invoice (INV01) or a credit note (INV02, negative amounts, citing the
    invoice), with the payment reference in its payment details."""
    drafted, issued = _issued(state)
    credit = drafted.kind is DocumentKind.CREDIT_NOTE
    sign = -1 if credit else 1
    total, vat_cents = sign * drafted.total_cents, sign * drafted.vat_cents
    root = etree.Element("Finvoice", Version="3.0")
    root.set("{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation", "Finvoice3.0.xsd")
    seller, payer = drafted.seller, drafted.payer
    transmission = _el(root, "MessageTransmissionDetails")
    sender = _el(transmission, "MessageSenderDetails")
    _el(sender, "FromIdentifier", seller.peppol_id.split(":", 1)[1])
    _el(sender, "FromIntermediator", "PEPPOL")
    receiver = _el(transmission, "MessageReceiverDetails")
    _el(receiver, "ToIdentifier", payer.peppol_id.split(":", 1)[1])
    _el(receiver, "ToIntermediator", "PEPPOL")
    message = _el(transmission, "MessageDetails")
    _el(message, "MessageIdentifier", f"{issued.series}-{issued.sequence}")
    _el(message, "MessageTimeStamp", f"{issued.issued_on.isoformat()}T00:00:00")
    seller_party = _el(root, "SellerPartyDetails")
    _el(seller_party, "SellerPartyIdentifier", seller.business_id)
    _el(seller_party, "SellerOrganisationName", seller.name)
    _el(seller_party, "SellerOrganisationTaxCode", _vat_id(seller.business_id))
    _el(root, "SellerOrganisationUnitNumber", seller.peppol_id.split(":", 1)[1])
    information = _el(root, "SellerInformationDetails")
    account = _el(information, "SellerAccountDetails")
    _el(account, "SellerAccountID", seller.iban, IdentificationSchemeName="IBAN")
    _el(account, "SellerBic", seller.bic, IdentificationSchemeName="BIC")
    buyer = _el(root, "BuyerPartyDetails")
    _el(buyer, "BuyerPartyIdentifier", payer.business_id)
    _el(buyer, "BuyerOrganisationName", payer.name)
    _el(root, "BuyerOrganisationUnitNumber", payer.peppol_id.split(":", 1)[1])
    details = _el(root, "InvoiceDetails")
    _el(details, "InvoiceTypeCode", "INV02" if credit else "INV01")
    _el(details, "InvoiceTypeText", "HYVITYSLASKU" if credit else "LASKU")
    _el(details, "OriginCode", "Original")
    _el(details, "InvoiceNumber", issued.number)
    _fin_date(details, "InvoiceDate", issued.issued_on)
    if drafted.cites is not None:
        _el(details, "OriginalInvoiceNumber", drafted.cites.invoice_number)
        _fin_date(details, "OriginalInvoiceDate", drafted.cites.issued_on)
    _fin_date(details, "InvoicingPeriodStartDate", min(line.period_start for line in drafted.lines))
    _fin_date(details, "InvoicingPeriodEndDate", max(line.period_end for line in drafted.lines))
    _el(details, "AgreementIdentifier", drafted.agreement_id)
    _el(details, "BuyerReferenceIdentifier", payer.buyer_reference)
    _fin_amount(details, "RowsTotalVatExcludedAmount", total)
    _fin_amount(details, "InvoiceTotalVatExcludedAmount", total)
    _fin_amount(details, "InvoiceTotalVatAmount", vat_cents)
    _fin_amount(details, "InvoiceTotalVatIncludedAmount", total + vat_cents)
    vat = _el(details, "VatSpecificationDetails")
    _fin_amount(vat, "VatBaseAmount", total)
    _el(vat, "VatRatePercent", _percent(drafted.vat.rate_basis_points).replace(".", ","))
    _el(vat, "VatCode", drafted.vat.category.value)
    _fin_amount(vat, "VatRateAmount", vat_cents)
    if drafted.vat.category is VatCategory.EXEMPT:
        _el(vat, "VatFreeText", drafted.vat.exemption_reason[:70])
        _el(vat, "VatExemptionReasonCode", drafted.vat.exemption_reason_code[:20])
    terms = _el(details, "PaymentTermsDetails")
    _el(terms, "PaymentTermsFreeText", f"{drafted.payment_terms_days} pv netto")
    _fin_date(terms, "InvoiceDueDate", issued.due_on)
    for line in drafted.lines:
        amount = sign * abs(line.amount_cents)
        row = _el(root, "InvoiceRow")
        _el(row, "ArticleName", _name(line))
        _el(row, "ArticleDescription", _description(line)[:512])
        _el(row, "InvoicedQuantity", "1", QuantityUnitCode="kpl")
        _fin_date(row, "StartDate", line.period_start)
        _fin_date(row, "EndDate", line.period_end)
        _el(row, "UnitPriceAmount", finvoice_amount(amount), AmountCurrencyIdentifier=CURRENCY)
        _el(row, "RowVatRatePercent", _percent(drafted.vat.rate_basis_points).replace(".", ","))
        _el(row, "RowVatCode", drafted.vat.category.value)
        _fin_amount(row, "RowVatExcludedAmount", amount)
        _fin_amount(row, "RowAmount", amount)
    epi = _el(root, "EpiDetails")
    identification = _el(epi, "EpiIdentificationDetails")
    _fin_date(identification, "EpiDate", issued.issued_on)
    _el(identification, "EpiReference", issued.number)
    parties = _el(epi, "EpiPartyDetails")
    _el(_el(parties, "EpiBfiPartyDetails"), "EpiBfiIdentifier", seller.bic, IdentificationSchemeName="BIC")
    beneficiary = _el(parties, "EpiBeneficiaryPartyDetails")
    _el(beneficiary, "EpiNameAddressDetails", seller.name[:35])
    _el(beneficiary, "EpiBei", seller.business_id.replace("-", ""))
    _el(beneficiary, "EpiAccountID", seller.iban, IdentificationSchemeName="IBAN")
    instruction = _el(epi, "EpiPaymentInstructionDetails")
    _el(instruction, "EpiRemittanceInfoIdentifier", issued.reference, IdentificationSchemeName="SPY")
    _el(instruction, "EpiInstructedAmount", finvoice_amount(total + vat_cents), AmountCurrencyIdentifier=CURRENCY)
    _el(instruction, "EpiCharge", ChargeOption="SLEV")
    _fin_date(instruction, "EpiDateOptionDate", issued.due_on)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
