"""The application for an ASGI server with several workers, configured from the environment:
``uvicorn caselearn.web.asgi:app --workers 4`` (each worker opens the store once)."""

from caselearn.services import CaseLearn
from caselearn.web.app import create_app

app = create_app(CaseLearn.open())
