"""Drills: the candidate implements a piece by hand and tprep checks it.

A drill is a verifier whose subject is the candidate's code. The pieces:

* ``spec``: ``Drill`` and ``@check`` -- how a drill is declared (cheap: no torch).
* ``registry``: ``default_drills()`` finds the drills in ``catalog/``.
* ``stubs``: the file a candidate starts from, cut out of the reference solution.
* ``sandbox``: ``check_drill(drill, path, ...)`` runs the checks on a file in a
  child process with time, memory and output limits; progress and cancel for the app.
* ``harness``: the child's side (and ``run_checks`` in-process, for tests).
* ``context``: what a check is handed (seeded inputs, guarded calls, comparisons
  that fail with a counterexample). Imports torch.
* ``result``: ``DrillResult`` / ``CheckResult`` / ``Counterexample``, JSON.

How to add a drill: ``verifiers/drills/README.md``.
"""
