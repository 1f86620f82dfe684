"""The audit log and its hash chain on each store: a verified chain, then one byte altered
(or one record deleted) in the store is found at exactly that position."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.engine import Engine
from application.clients.commands import ClientCommands
from domain.shared.base import Context
from projections.compliance.audit import AuditView, ChainReport, verify
from projections.shared.base import utc_text
from tests.conftest import client_fields
from tests.tampering import delete_record, execute, forge_record, record, rewrite_record

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def some_history(engine: Engine) -> list[int]:
    """Three clients, each retiered by another actor: the positions of their events."""
    positions = []
    for n in range(3):
        ctx = Context(actor=f"u-{n}", at=START + timedelta(hours=n), correlation_id=f"c-{n}")
        client = engine.handler(ClientCommands).register(ctx, **client_fields())
        positions.append(client.position)
        later = ctx.model_copy(update={"actor": "u-9", "at": ctx.at + timedelta(minutes=5)})
        positions.append(
            engine.handler(ClientCommands).change_tier(later, client.id, "gold", "assets").position
        )
    return positions


def tamper(engine: Engine, position: int, change: str = "flip") -> None:
    """Alter one byte of the stored record at ``position`` (or delete the record)."""
    if change == "delete":
        delete_record(engine, position)
        return
    state = record(engine, position)["state"]
    rewrite_record(engine, position, state=flipped(bytes(state)))


def stored_before(engine: Engine, position: int) -> int:
    return max(n.id for n in engine.store.recorder.select_notifications(1, position - 1))


def stored_after(engine: Engine, position: int) -> int:
    return engine.store.recorder.select_notifications(position + 1, 1)[0].id


def flipped(state: bytes) -> bytes:
    """The same record with one byte changed: a digit of its timestamp, still valid JSON."""
    at = state.index(b'"timestamp":"') + len(b'"timestamp":"') + 3
    digit = b"7" if state[at : at + 1] != b"7" else b"8"
    return state[:at] + digit + state[at + 1 :]


def test_an_untouched_store_verifies_and_the_head_hash_moves_with_each_event(
    engine: Engine,
) -> None:
    # Given some events, chained
    some_history(engine)
    engine.projector.catch_up()
    first = verify(engine.store)
    # Then the chain verifies every stored event
    assert first.ok, first
    assert first.checked == first.chain_head == first.store_head == first.verified_to
    assert first.head_hash is not None
    # And one more event gives another head, while the old events still verify
    engine.handler(ClientCommands).register(
        Context(actor="u", at=START, correlation_id="x"), **client_fields()
    )
    engine.projector.catch_up()
    second = verify(engine.store)
    assert second.ok
    assert second.head_hash != first.head_hash
    assert second.checked > first.checked


@pytest.mark.parametrize("change", ["flip", "delete"])
def test_one_altered_or_deleted_record_breaks_the_chain_at_exactly_its_position(
    engine: Engine, change: str
) -> None:
    """README claim: the chain detects one altered byte or one deleted record, at its position."""
    # Given six events of clients, chained, and verified
    positions = some_history(engine)
    engine.projector.catch_up()
    assert verify(engine.store).ok
    # When one byte of the record at one position is altered (or the record deleted)
    target = positions[3]
    tamper(engine, target, change)
    # Then verification breaks at exactly that position, having verified the ones before
    report = verify(engine.store)
    assert not report.ok
    assert report.broken_at == target
    assert report.verified_to < target
    assert report.reason is not None
    expected = "missing from the store" if change == "delete" else "differs"
    assert expected in report.reason


def test_each_record_is_chained_by_the_transaction_that_stores_it(engine: Engine) -> None:
    # Given commands, and no view worker having run
    some_history(engine)
    # Then every stored record is chained already, and rebuilding the views leaves it so
    report = verify(engine.store)
    assert report.ok
    assert report.chain_head == report.store_head == report.verified_to > 0
    assert engine.rebuild("audit") > 0
    assert verify(engine.store) == report


def test_the_audit_log_filters_by_actor_aggregate_type_time_and_correlation(
    engine: Engine,
) -> None:
    # Given three clients (9 events with the identity claims), each registered by its own
    # actor and retiered by u-9
    some_history(engine)
    engine.projector.catch_up()
    view, db = engine.view(AuditView), engine.db
    # Then each filter finds its events
    tiers, _ = view.search(db, type="Client.TierChanged")
    assert [r["actor"] for r in tiers] == ["u-9"] * 3
    by_actor, _ = view.search(db, actor="u-1")
    assert {r["type"] for r in by_actor} == {"Client.Registered", "UniqueKey.Claimed"}
    client = next(r["aggregate_id"] for r in by_actor if r["kind"] == "Client")
    mine, _ = view.search(db, aggregate_id=client)
    assert [(r["version"], r["type"]) for r in mine] == [
        (1, "Client.Registered"),
        (2, "Client.TierChanged"),
    ]
    in_request, _ = view.search(db, correlation_id="c-2")
    assert {r["actor"] for r in in_request} == {"u-2", "u-9"}
    window, _ = view.search(
        db, start=START + timedelta(hours=1), end=START + timedelta(hours=1, minutes=5)
    )
    assert {(r["actor"], r["at"]) for r in window} == {("u-1", START + timedelta(hours=1))}
    # And pages follow each other through the cursor without overlap
    half = (engine.store.head() + 1) // 2
    page1, cursor = view.search(db, limit=half)
    page2, end = view.search(db, limit=half, cursor=cursor)
    assert cursor is not None
    assert end is None
    assert [r["position"] for r in page1 + page2] == sorted(
        r["position"] for r in view.search(db, limit=100)[0]
    )


@pytest.mark.parametrize(
    "column",
    ["originator_id", "originator_version", "topic"],
    ids=["moved-to-another-client", "renumbered", "retyped"],
)
def test_a_record_moved_renumbered_or_retyped_with_its_bytes_untouched_breaks_the_chain(
    engine: Engine, column: str
) -> None:
    """README claim: the chain detects a record altered in any part of it, not only its
    stored bytes (the envelope: aggregate id, version, type)."""
    # Given six chained events of three clients, verified
    positions = some_history(engine)
    engine.projector.catch_up()
    assert verify(engine.store).ok
    # When one tier change is given to another client, another version or another type,
    # its stored bytes left as they were
    target = positions[3]
    other = record(engine, positions[0])
    changed = {
        "originator_id": other["originator_id"],
        "originator_version": 9,
        "topic": "domain.clients.registry:Client.Registered",
    }[column]
    if column == "originator_id" and not engine.settings.is_postgres:
        changed = str(changed)
    rewrite_record(engine, target, **{column: changed})
    # Then verification breaks at exactly that record
    report = verify(engine.store)
    assert (report.ok, report.broken_at) == (False, target)
    assert report.verified_to == stored_before(engine, target)
    assert report.reason == "the stored record differs from the one chained"


def test_a_record_removed_from_the_store_and_the_chain_alike_breaks_the_next_link(
    engine: Engine,
) -> None:
    """README claim: the chain detects a removed record, even when its chain row is removed
    with it, because each hash covers the one before; and the published head hash no longer
    matches."""
    # Given six chained events and the head hash published
    positions = some_history(engine)
    engine.projector.catch_up()
    published = verify(engine.store).head_hash
    # When one record and its chain row are both deleted
    target = positions[2]
    delete_record(engine, target)
    execute(engine, "DELETE FROM assure_chain WHERE position = ?", (target,), views=False)
    # Then the chain breaks at the next record: its hash chained on the removed one
    report = verify(engine.store)
    assert (report.ok, report.broken_at) == (False, stored_after(engine, target))
    assert report.reason == "the stored record differs from the one chained"
    # And a chain recomputed over what is left cannot end in the published head hash
    assert report.head_hash != published


def test_an_empty_store_verifies_with_nothing_to_publish(bare_engine: Engine) -> None:
    report = verify(bare_engine.store)
    assert report == ChainReport(
        ok=True,
        checked=0,
        verified_to=0,
        head_hash=None,
        broken_at=None,
        reason=None,
        chain_head=0,
        store_head=0,
    )


def test_a_record_stored_behind_the_engines_back_is_unchained_and_stays_so(
    engine: Engine,
) -> None:
    """README claim: a record appended while the server is down, with no link, is found;
    verifying never chains it."""
    # Given a chained history, then a record written straight into the store
    some_history(engine)
    chained = verify(engine.store)
    forged = forge_record(engine)
    # When verified, page by page or at once, and again
    for page in (2, 3, 5_000, 5_000):
        report = verify(engine.store, page=page)
        # Then it is named, unchained, at its position, after everything before verified
        assert (report.ok, report.broken_at) == (False, forged), page
        assert report.reason == "a stored record is not chained"
        assert (report.verified_to, report.head_hash) == (chained.verified_to, chained.head_hash)
        assert (report.chain_head, report.store_head) == (chained.chain_head, forged)


def test_a_break_on_a_later_page_is_found_at_its_position(engine: Engine) -> None:
    positions = some_history(engine)
    engine.projector.catch_up()
    target = positions[-1]
    tamper(engine, target)
    for page in (2, 3, 4):
        report = verify(engine.store, page=page)
        assert (report.ok, report.broken_at) == (False, target), page
        assert report.verified_to == stored_before(engine, target)


@pytest.mark.parametrize(
    ("removed", "reason"),
    [
        ("record", "a chained event is missing from the store"),
        ("chain row", "a stored record is not chained"),
    ],
)
def test_a_record_or_a_chain_row_removed_alone_is_named_as_such(
    engine: Engine, removed: str, reason: str
) -> None:
    positions = some_history(engine)
    engine.projector.catch_up()
    target = positions[2]
    if removed == "record":
        delete_record(engine, target)
    else:
        execute(engine, "DELETE FROM assure_chain WHERE position = ?", (target,), views=False)
    report = verify(engine.store)
    assert (report.ok, report.broken_at, report.reason) == (False, target, reason)


def test_the_audit_log_pages_by_a_hundred_from_the_first_event(engine: Engine) -> None:
    # Given the branches and clients: 102 events or more with their identity claims
    ctx = Context(actor="u", at=START, correlation_id="c")
    while engine.store.head() < 102:
        engine.handler(ClientCommands).register(ctx, **client_fields())
    engine.projector.catch_up()
    total = engine.store.head()
    first, cursor = engine.view(AuditView).search(engine.db)
    assert (len(first), first[0]["position"]) == (100, 1)
    rest, end = engine.view(AuditView).search(engine.db, cursor=cursor)
    assert (len(rest), end) == (total - 100, None)
    exact, none_left = engine.view(AuditView).search(engine.db, limit=total)
    assert (len(exact), none_left) == (total, None)


def test_the_audit_log_keeps_utc_times_whatever_the_hosts_zone(host_zone: str) -> None:
    """Times in the log sort as the instants do only if every host writes them in UTC."""
    shanghai = datetime(2026, 2, 2, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert utc_text(shanghai) == "2026-02-02T09:00:00.000000Z"


def test_the_last_chained_record_removed_from_the_store_is_found(engine: Engine) -> None:
    positions = some_history(engine)
    engine.projector.catch_up()
    delete_record(engine, positions[-1])
    for page in (2, 5_000):
        report = verify(engine.store, page=page)
        assert (report.ok, report.broken_at) == (False, positions[-1]), page
        assert report.reason == "a chained event is missing from the store"


def test_the_audit_log_keeps_each_events_causation(engine: Engine) -> None:
    ctx = Context(actor="u-7", at=START, correlation_id="c-7", causation_id="request:42")
    engine.handler(ClientCommands).register(ctx, **client_fields())
    engine.projector.catch_up()
    rows, _ = engine.view(AuditView).search(engine.db, actor="u-7")
    assert {(r["correlation_id"], r["causation_id"]) for r in rows} == {("c-7", "request:42")}
    assert {r["kind"] for r in rows} == {"Client", "UniqueKey"}
