"""caselearn: learn from child protection case reviews."""

__version__ = "0.1.0"
