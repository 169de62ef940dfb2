"""Write an export so that a reader never sees half a file and nothing is
overwritten by accident: write a temporary file beside the target, then
rename it over the target in one step."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from questions.export.errors import ExportError


def check_target(path: Path, *, force: bool) -> None:
    """Refuse before any work is done: an existing file without ``force``, a
    directory, or a folder that does not exist or cannot be written."""
    if path.is_dir():
        raise ExportError(f"{path} is a directory; give a file name with --out (e.g. {path / 'sheet'}).")
    if path.exists() and not force:
        raise ExportError(f"{path} already exists; pass --force to overwrite it, or choose another --out.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist; create it or choose another --out.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {path}: no permission to write in {folder}; choose another --out.")


def write_atomically(path: Path, write: Callable[[Path], None], *, force: bool) -> Path:
    """Call ``write(temporary_path)`` and move the result to ``path``.

    The temporary file lives in the target's folder so the final rename is
    atomic (same file system). On any failure the temporary file is removed
    and an existing target is left exactly as it was.
    """
    check_target(path, force=force)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    temporary_path = Path(temporary)
    try:
        write(temporary_path)
        os.chmod(temporary_path, 0o644)
        os.replace(temporary_path, path)
    except OSError as error:
        temporary_path.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise
    return path
