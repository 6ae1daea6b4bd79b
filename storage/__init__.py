"""Every SQL statement Centinela runs lives in this package; callers get and give `model` objects, and a
failure of the database itself surfaces as `errors.StorageError` (`storage.engine`).

May import: the leaves model, errors, settings and text, and sqlalchemy and alembic (only here).
"""
