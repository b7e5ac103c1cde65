"""The network service: The partner-organisation directory, referrals to social and health services with
deadlines and outcomes, and family-partner (Perhekumppani) relationships.
"""
