"""Idempotency fingerprints are stored in receipts: their form must not change between
releases, or a client retrying across an upgrade would be refused."""

from __future__ import annotations

import hashlib

from application.shared.common import Idempotency


def test_a_fingerprint_is_the_sha256_of_each_part_followed_by_a_zero_byte() -> None:
    parts = ("POST", "/api/v1/clients", b'{"a":1}')
    expected = hashlib.sha256(b"POST\x00/api/v1/clients\x00" + b'{"a":1}\x00').hexdigest()
    assert Idempotency.of("k-1", *parts) == Idempotency(key="k-1", fingerprint=expected)
    assert expected == "9c95a8b7f8181d106cdf13d8a9e79293a15b4e7ac000264c46acd0297bb3e495"


def test_the_separator_keeps_parts_apart() -> None:
    assert Idempotency.of("k", "ab", "c").fingerprint != Idempotency.of("k", "a", "bc").fingerprint
