"""Every SQL statement Centinela runs lives in this package; callers get and give `model` objects.

May import: the leaves model, errors, settings and text, and sqlalchemy and alembic (only here).
"""
