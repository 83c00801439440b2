"""Action plans: RAG ratings, closing rules and plan spreadsheets. No database here."""
