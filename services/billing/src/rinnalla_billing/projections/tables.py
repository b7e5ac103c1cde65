"""Billing's read models live in the schema `billing_read` (stable views over the active generation)."""

READ_SCHEMA = "billing_read"
