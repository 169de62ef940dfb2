"""The bank's `verifiers:` field is the only link from questions to verifiers:
every registered verifier must back at least one question. (The converse, every
id the bank names exists, is checked by the bank linter inside ``load_bank``.)"""

from questions import load_bank
from verifiers.registry import default_registry


def test_every_registered_verifier_backs_a_question():
    bank = load_bank()
    orphans = sorted(v.id for v in default_registry() if not bank.by_verifier(v.id))
    assert orphans == [], f"verifiers that no question names in its 'verifiers:' field: {orphans}"

