"""Trust from reviewer to learner: keys, signed approvals, their check, the approval
sheet, the diff a re-review starts from.

A bundle proves by its manifests only that its files agree with each other;
whoever rewrites a file and the manifests consistently gets a clean
``casekit verify``. An approval is an Ed25519 signature by a reviewer's key over
the SHA-256 of the bag's tag manifest (which covers ``manifest-sha256.txt`` and
so every payload file): checked against public keys the facility trusts, it
tells who approved these exact bytes, in which role and when.

This package sits above ``casekit.bundle`` (it reads bundles, never the other
way round).
"""

from __future__ import annotations

#: hex digits of a SHA-256 shown as a short fingerprint (80 bits), in groups of four
SHORT_DIGITS = 20


def short_fingerprint(hexdigest: str) -> str:
    """``3f2a-91bc-04de-77f1-a0b3``: the first 80 bits of a SHA-256, easy to read aloud
    and to compare with the one printed on the approval sheet."""
    digits = hexdigest[:SHORT_DIGITS].lower()
    return "-".join(digits[i : i + 4] for i in range(0, SHORT_DIGITS, 4))
