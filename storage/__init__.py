"""Every SQL statement Centinela runs lives in this package; callers get and give `model` objects."""
