"""Where the verifiers are declared, and a digest of that source that imports none of it.

``verifiers.registry`` discovers the verifiers by importing every public module of
``PACKAGES``. The question bank's cache (``questions.bank_cache``) needs to know only whether
the ids it would find may have changed, which ``declarations_digest`` tells from the files'
bytes: a cached bank then loads without importing the ~50 verifier modules (nor the registry and
its result model, ~20 ms of the app's start together).
"""

from __future__ import annotations

import hashlib
from importlib.util import find_spec
from pathlib import Path
from typing import Sequence

PACKAGES: tuple[str, ...] = ("verifiers.symbolic", "verifiers.experiments")


def declarations_digest(packages: Sequence[str] = PACKAGES) -> str:
    """A digest of the source the registry's discovery would import, read as bytes: every Python
    file under ``packages``, and the registry and ``verifiers.spec``, which decide what counts as
    a declaration. The ids ``verifiers.registry.known_ids`` returns change only when this does.
    No module of ``packages`` is imported (only their parent packages, to find their folders).
    """
    digest = hashlib.blake2b(digest_size=20)
    here = Path(__file__)
    sources = [here.with_name("registry.py"), here.with_name("spec.py")]
    for package_name in packages:
        spec = find_spec(package_name)
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            sources.extend(sorted(Path(folder).rglob("*.py")))
    for path in sources:
        content = path.read_bytes()
        digest.update(f"\0{path}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()
