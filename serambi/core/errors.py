"""One error type for every rule of the library, free of HTTP.

Each door maps it: the web shows ``message`` on the page, the API answers
JSON ``{code, message, data}``, SIP2 answers ok=0 with the message.
"""

from typing import Any


class DomainError(Exception):
    """A rule of the library refused an action.

    ``code`` is stable and machine-readable (``"catalog.duplicate_barcode"``);
    ``message`` is translated for the person who asked; ``data`` carries the
    facts a client may need (ids, limits) as JSON-safe values.
    """

    def __init__(self, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.data = data

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, **{self.data!r})"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}
