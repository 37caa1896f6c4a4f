"""What an import reports about a record or a file."""

from dataclasses import dataclass
from typing import Any

ERROR = "error"  # the record was not imported
WARNING = "warning"  # the record was imported; something in it needs a look


@dataclass
class ImportProblem:
    """Something wrong with a record or, without a record number, with a whole file."""

    file: str
    record_number: int | None
    control_number: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "record_number": self.record_number,
            "control_number": self.control_number,
            "message": self.message,
            "severity": self.severity,
        }
