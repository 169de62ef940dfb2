"""The latest result of each verifier, one JSON file per verifier id.

The directory is handed in (the CLI and the app pass ``tui.paths.results_dir()``).
Drill results are cached the same way in their own directory
(``ResultsCache(tui.paths.drill_results_dir(), model=DrillResult)``): any model
with ``to_dict``/``from_dict`` and a ``cache_key`` property will do.
Files are written atomically (a temporary file, then a rename), so a crash
mid-write leaves the previous result intact. A file that cannot be read — not
JSON, another schema version, a truncated write from an older tool — is
skipped with a warning: the cache is a convenience, never a reason to crash.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from verifiers.result import Result, ResultFormatError


class CacheWarning(UserWarning):
    """A cached result that was skipped or could not be saved."""


class ResultsCache:
    def __init__(self, directory: Path, *, model: Any = Result) -> None:
        self.directory = Path(directory)
        self.model = model  # what the files hold: Result, or DrillResult for drills

    def path_for(self, verifier_id: str) -> Path:
        return self.directory / f"{verifier_id}.json"

    def save(self, result: Any) -> Path | None:
        """Store ``result`` as the latest of its verifier; ``None`` (and a warning) if the disk refuses."""
        key = result.cache_key
        target = self.path_for(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(result.to_dict(), handle, ensure_ascii=False, indent=1)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            warnings.warn(f"could not save the result of {key} to {target}: {error}", CacheWarning, stacklevel=2)
            return None
        return target

    def load(self, verifier_id: str) -> Any:
        """The latest cached result of this verifier, or ``None`` when there is none (or it is unreadable)."""
        path = self.path_for(verifier_id)
        if not path.is_file():
            return None
        return self._read(path)

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        """Changes whenever a result is saved or removed, without reading any: each file's name,
        inode (a save replaces the file with a new one) and modification time."""
        if not self.directory.is_dir():
            return ()
        return tuple(
            sorted(
                (entry.name, entry.inode(), entry.stat().st_mtime_ns)
                for entry in os.scandir(self.directory)
                if entry.name.endswith(".json")
            )
        )

    def load_all(self) -> dict[str, Any]:
        """Every readable cached result, by verifier id."""
        if not self.directory.is_dir():
            return {}
        results: dict[str, Any] = {}
        for path in sorted(self.directory.glob("*.json")):
            result = self._read(path)
            if result is not None:
                results[result.cache_key] = result
        return results

    def _read(self, path: Path) -> Any:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            result = self.model.from_dict(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ResultFormatError) as error:
            warnings.warn(f"ignoring the cached result {path}: {error}", CacheWarning, stacklevel=3)
            return None
        if path.stem != result.cache_key:
            warnings.warn(f"ignoring the cached result {path}: it holds {result.cache_key!r}", CacheWarning, stacklevel=3)
            return None
        return result
