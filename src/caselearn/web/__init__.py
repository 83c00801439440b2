"""The web application: server-rendered pages and their JSON twins under /api/."""
