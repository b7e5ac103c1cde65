"""The billing service: Partnership agreements, invoices to municipalities (Peppol BIS 3.0, Finvoice 3.0), the
ERP feed, and social-impact-bond outcome contracts and payments.
"""
