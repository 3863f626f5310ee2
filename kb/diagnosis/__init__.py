"""Diagnosis: a metrics file (or answers to questions) -> what changed, why, and what to try.

Entry points: `diagnose(file_or_frame, workspace, kpi=None, current=None, baseline="previous",
targets=None)` -> Diagnosis (`.to_json()` is the Diagnosis contract of the design notes) and
`consult(workspace, answers)` for the question-driven mode without data. Reports:
kb.diagnosis.report (markdown_report, case_draft). Command line: kb.diagnosis.cli.
"""

from kb.diagnosis.consult import Consultation, consult
from kb.diagnosis.engine import Diagnosis, diagnose, load
from kb.diagnosis.load import DiagnosisInputError, Table

__all__ = [
    "Consultation",
    "Diagnosis",
    "DiagnosisInputError",
    "Table",
    "consult",
    "diagnose",
    "load",
]
