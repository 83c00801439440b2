"""The national and local overview report: structured record imports, the tables of a
triennial review for any period and committees, charts, and exports.

Pure: the service hands in facts read by ``store.report_queries``.
"""

from caselearn.reports.periods import Period, parse_day, parse_period
from caselearn.reports.records import RecordsError, parse_records
from caselearn.reports.render import FORMATS, MEDIA_TYPES, render_report, report_body_html
from caselearn.reports.tables import TABLE_NAMES, Report, ReportBuilder, ReportData, Table

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "TABLE_NAMES",
    "Period",
    "RecordsError",
    "Report",
    "ReportBuilder",
    "ReportData",
    "Table",
    "parse_day",
    "parse_period",
    "parse_records",
    "render_report",
    "report_body_html",
]
