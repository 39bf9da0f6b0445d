"""The signature recipe receivers use (and the test receiver runs): forgeries and replays fail."""

from __future__ import annotations

import pytest

from app.webhooks.signing import SignatureError, sign, signature, verify

SECRET = "whsec_test_secret_0123456789"
BODY = b'{"id":"evt_1","type":"alert.triggered","created_at":"2026-01-15T12:00:00+00:00","data":{}}'
T = 1_768_478_400


def test_a_genuine_request_verifies() -> None:
    header = sign(SECRET, T, BODY)
    assert header.startswith(f"t={T},v1=")
    assert verify(SECRET, header, BODY, now=T + 10) == T


@pytest.mark.parametrize(
    ("header", "body", "now", "problem"),
    [
        (sign("whsec_someone_else_entirely", T, BODY), BODY, T, "no signature matches"),
        (sign(SECRET, T, BODY), BODY.replace(b"evt_1", b"evt_2"), T, "no signature matches"),
        (sign(SECRET, T, BODY).replace(f"t={T}", f"t={T + 1}"), BODY, T, "no signature matches"),
        (sign(SECRET, T, BODY), BODY, T + 301, "outside the tolerance"),
        (sign(SECRET, T, BODY), BODY, T - 301, "outside the tolerance"),
        (f"v1={signature(SECRET, T, BODY)}", BODY, T, "malformed"),
        (f"t={T}", BODY, T, "malformed"),
        ("", BODY, T, "no Tally-Signature header"),
        (None, BODY, T, "no Tally-Signature header"),
    ],
    ids=[
        "other-secret",
        "tampered-body",
        "moved-timestamp",
        "replayed-later",
        "from-the-future",
        "no-timestamp",
        "no-signature",
        "empty",
        "missing",
    ],
)
def test_forgeries_and_replays_are_rejected(
    header: str | None, body: bytes, now: int, problem: str
) -> None:
    with pytest.raises(SignatureError, match=problem):
        verify(SECRET, header, body, now)


def test_any_of_several_signatures_may_match_during_a_secret_rotation() -> None:
    old = signature("whsec_the_old_secret_000000", T, BODY)
    header = f"t={T},v1={old},v1={signature(SECRET, T, BODY)}"
    assert verify(SECRET, header, BODY, now=T) == T


def test_the_tolerance_is_the_receivers_choice() -> None:
    header = sign(SECRET, T, BODY)
    assert verify(SECRET, header, BODY, now=T + 3600, tolerance=3600) == T
    with pytest.raises(SignatureError):
        verify(SECRET, header, BODY, now=T + 11, tolerance=10)
