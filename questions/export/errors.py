"""The one error type of the exports: something the user can fix."""


class ExportError(Exception):
    """Bad export request (existing file, unwritable path, empty selection)."""

    exit_code = 2
