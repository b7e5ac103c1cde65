"""The caselog service: The mentor's work per child and team: contacts, attendance, goals, assessments (SDQ and
others), concerns and the marker that a child-welfare notification was filed.
"""
