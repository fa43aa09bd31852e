"""The answer of a spec check, and the rule that gave it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """Whether a request passes, and why.

    ``rule`` is a sentence such as ``"blocked by my_app._blocked_spec: GET /api/contents/{path}"``
    or ``"not in my_app._allowed_spec"``; ``spec``, ``method`` and ``template`` name the
    operation that decided, when one did.

    >>> Verdict.by_operation(False, "app._blocked_spec", "GET", "/api/x").rule
    'blocked by app._blocked_spec: GET /api/x'
    """

    allowed: bool
    rule: str
    spec: str | None = None
    method: str | None = None
    template: str | None = None

    @classmethod
    def by_operation(cls, allowed: bool, spec: str, method: str, template: str) -> Verdict:
        word = "allowed" if allowed else "blocked"
        return cls(allowed, f"{word} by {spec}: {method} {template}", spec, method, template)

    @property
    def word(self) -> str:
        return "allowed" if self.allowed else "refused"

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.word,
            "rule": self.rule,
            "spec": self.spec,
            "method": self.method,
            "template": self.template,
        }


NO_SPEC = Verdict(True, "no spec enforced")
EXEMPT = Verdict(True, "the dev server's dashboard is always reachable")


def first_refusal(verdicts: Iterable[Verdict]) -> Verdict | None:
    """The first refusal among ``verdicts`` (asked in order, no further than that), else the
    last verdict; None when there is none.

    >>> first_refusal([NO_SPEC, Verdict(False, "no"), Verdict(False, "never asked")]).rule
    'no'
    >>> first_refusal([]) is None
    True
    """
    verdict = None
    for verdict in verdicts:
        if not verdict.allowed:
            return verdict
    return verdict
