"""Keeps microdata out of logs and error reports.

BIF's own code logs only ids, counts and exception types. Values still reach a log line by
other roads: PostgreSQL quotes the offending row or key in an error's DETAIL/CONTEXT line,
Python and pandas quote the value they could not parse, Celery logs the repr of a task's
exception, a request line carries the microdata browser's filter values. The filter below
redacts those shapes on every handler; the exception reporter shows no local variables, no
request data and no exception text with values (500 pages in DEBUG, error mails).
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted]"

# (pattern, replacement), applied in order to messages and formatted tracebacks. Where the
# text is a repr (Celery: "raised unexpected: IntegrityError('…\nDETAIL: …')") a line ends
# at a literal backslash-n, hence (?=\\n|\n|$) instead of the end of the line.
_END = r"(?=\\n|\n|$)"
_PATTERNS = [
    # PostgreSQL: DETAIL quotes keys and failing rows, CONTEXT quotes COPY input, LINE the SQL.
    (re.compile(r"\b(DETAIL|CONTEXT|LINE \d+):[^\n]*?" + _END), r"\1: " + REDACTED),
    (re.compile(r"(Key \([^)]*\)=\()[^\n]*?" + _END), r"\1" + REDACTED + ")"),
    (re.compile(r"(Failing row contains )[^\n]*?" + _END), r"\1(" + REDACTED + ")"),
    # 'invalid input syntax for type integer: "x"', "invalid literal for int(): 'x'",
    # "KeyError: 'x'", 'date/time field value out of range: "x"'.
    (re.compile(r"(:\s*)(\"|')(?:(?!\2)[^\n\\]|\\.)*\2"), r"\1" + REDACTED),
    # 'value "x" is out of range', 'Unable to parse string "x" at position 3'.
    (
        re.compile(r"\b(value|string|literal|token)\s+(\"|')(?:(?!\2)[^\n\\]|\\.)*\2"),
        r"\1 " + REDACTED,
    ),
    # Request lines (runserver, django.server): the query string holds filter values.
    (
        re.compile(r"\b((?:GET|POST|HEAD|PUT|PATCH|DELETE|OPTIONS) [^\s?\"]*)\?[^\s\"]*"),
        r"\1?" + REDACTED,
    ),
]


def redact(text):
    """The text with every value-quoting shape above replaced by REDACTED."""
    if not text:
        return text
    text = str(text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _is_database_error(exc):
    from django.db import Error as DjangoDatabaseError

    if isinstance(exc, DjangoDatabaseError):
        return True
    module = type(exc).__module__ or ""
    return module.startswith(("psycopg", "sqlite3", "_sqlite3"))


def redact_exception(exc):
    """The message of an exception as it may be shown: a database error keeps only its first
    line (the rest is DETAIL, CONTEXT, SQL); every message loses quoted values."""
    if exc is None:
        return ""
    if isinstance(exc, KeyError):
        return REDACTED  # its message is the key itself
    text = str(exc)
    if _is_database_error(exc) or any(_is_database_error(e) for e in _chain(exc)):
        text = text.strip().splitlines()[0] if text.strip() else ""
    return redact(text)


def _chain(exc):
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen[1:]


class RedactMicrodataFilter(logging.Filter):
    """On every handler: redact values from the message and the traceback of a record."""

    _formatter = logging.Formatter()

    def filter(self, record):
        if record.name.startswith("django.db.backends"):
            # SQL with its parameters (DEBUG only): the parameters may be microdata.
            record.msg = "(%.3f) query on %s: parameters and statement redacted"
            record.args = (getattr(record, "duration", 0.0) or 0.0, getattr(record, "alias", "?"))
            record.sql, record.params = REDACTED, None
        else:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string must not lose the record
                message = str(record.msg)
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or self._formatter.formatException(record.exc_info)
            record.exc_text = _redact_traceback(text, record.exc_info[1])
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _redact_traceback(text, exc):
    """A formatted traceback: each exception line of a database error is cut to its first
    line; then the value shapes are redacted."""
    lines = text.splitlines()
    database_error = _is_database_error(exc) or any(_is_database_error(e) for e in _chain(exc))
    if database_error:
        kept, skipping = [], False
        for line in lines:
            # Continuation lines of a multi-line DB message are neither frames nor headers.
            is_header = line.startswith(("Traceback", "The above exception", "During handling"))
            is_frame = line.startswith("  ") or is_header or not line.strip()
            if skipping and not is_frame:
                continue
            skipping = False
            kept.append(line)
            if not line.startswith(" ") and ":" in line and not is_header:
                skipping = True  # an "ExcType: message" line: drop what follows it
        lines = kept
    return redact("\n".join(lines))


class MicrodataSafeReporterFilter(SafeExceptionReporterFilter):
    """For every view, in DEBUG too: no local variables, no POST or upload data, no query
    string, no cookies (DEFAULT_EXCEPTION_REPORTER_FILTER)."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in sorted(tb_frame.f_locals)]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "HTTP_COOKIE", "HTTP_REFERER", "REQUEST_URI", "RAW_URI"):
            if key in meta:
                meta[key] = self.cleansed_substitute
        return meta

    def get_safe_cookies(self, request):
        cookies = getattr(request, "COOKIES", {}) or {}
        return dict.fromkeys(cookies, self.cleansed_substitute)


class MicrodataSafeExceptionReporter(ExceptionReporter):
    """The exception text of reports without values; GET and FILES only by name
    (DEFAULT_EXCEPTION_REPORTER)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        cleansed = self.filter.cleansed_substitute
        if "exception_value" in data:
            data["exception_value"] = redact_exception(self.exc_value)
        if "exception_notes" in data:
            data["exception_notes"] = redact(data["exception_notes"])
        data["unicode_hint"] = ""
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = redact_exception(frame["exc_cause"])
        if self.request is not None:
            data["request_GET_items"] = [(key, cleansed) for key in self.request.GET]
            data["request_FILES_items"] = [(key, cleansed) for key in self.request.FILES]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
        return data
