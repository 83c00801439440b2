"""``python -m caselearn``: the same as the ``caselearn`` command."""

from caselearn.cli import main

main()
