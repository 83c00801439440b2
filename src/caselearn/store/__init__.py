"""The store: tables, migrations and queries. The only room that speaks SQL."""

from caselearn.store.db import Database

__all__ = ["Database"]
