"""Profiles, roles, disabled accounts and statistics against both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tablium.clock import ManualClock
from tablium.db.audit import Actor
from tablium.db.engine import create_engine
from tablium.db.schema import audit_log, player_winnings, sessions
from tablium.errors import Conflict, DomainError, InvalidInput, NotFound, Unauthenticated
from tablium.players.profile import Preferences, Role
from tablium.players.service import Player, Players, ProfileUpdate, PublicPlayer
from tablium.players.stats import TournamentResult
from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.hand import Blinds, HandConfig, apply, start_hand
from tablium.poker.history import HandHistory, HandMeta, build_history
from tablium.settings import Settings

PASSWORD = "correct horse battery"
ADMIN = Actor(id="admin-under-test", role="admin", ip="127.0.0.1")
E = TypeVar("E", bound=DomainError)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 6, 1, 18, 0, tzinfo=UTC))


@pytest.fixture
async def service(engine: AsyncEngine, settings: Settings, clock: ManualClock) -> Players:
    players = Players(engine, settings, clock=clock)
    await players.start()
    return players


def refused(kind: type[E], code: str) -> pytest.RaisesExc[E]:
    return pytest.raises(kind, check=lambda exc: exc.code == code)


async def new_player(service: Players, unique: Callable[[str], str], name: str = "pat") -> Player:
    player, _ = await service.register(username=unique(name), password=PASSWORD)
    return player


async def audit_rows(
    engine: AsyncEngine, target: str, action: str
) -> list[tuple[str | None, str | None, dict[str, object]]]:
    """``(actor id, actor role, details)`` of each audit row of ``action`` on ``target``."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(audit_log.c.actor_id, audit_log.c.actor_role, audit_log.c.details)
            .where(audit_log.c.target == target, audit_log.c.action == action)
            .order_by(audit_log.c.id)
        )
        return [(actor, role, details) for actor, role, details in rows]


# --- Reading players ---------------------------------------------------------------------------


async def test_a_player_is_found_by_id_and_by_username_in_any_case(
    service: Players, unique: Callable[[str], str]
) -> None:
    player = await new_player(service, unique, "Quinn")
    assert await service.get(player.id) == player
    assert await service.find_by_username(player.username.lower()) == player
    assert await service.public(player.id) == PublicPlayer(
        id=player.id,
        username=player.username,
        display_name=player.username,
        avatar_url=None,
        country=None,
        xp=0,
        level=1,
    )
    assert not await service.is_disabled(player.id)


async def test_unknown_players_are_not_found(
    service: Players, unique: Callable[[str], str]
) -> None:
    for lookup in (
        service.get("0" * 32),
        service.public("0" * 32),
        service.stats("0" * 32),
        service.find_by_username(unique("ghost")),
        service.update_profile("0" * 32, ProfileUpdate(display_name="Ghost")),
        service.set_role(actor=ADMIN, player_id="0" * 32, role=Role.ADMIN),
        service.set_disabled(actor=ADMIN, player_id="0" * 32, disabled=True),
    ):
        with refused(NotFound, "unknown_player"):
            await lookup


async def test_the_public_view_leaves_out_private_fields(
    service: Players, unique: Callable[[str], str]
) -> None:
    player, _ = await service.register(
        username=unique("rae"), password=PASSWORD, email=f"{unique('rae')}@example.com"
    )
    public = msgspec.to_builtins(await service.public(player.id))
    assert set(public) == {"id", "username", "display_name", "avatar_url", "country", "xp", "level"}


# --- Profiles ----------------------------------------------------------------------------------


async def test_a_profile_update_changes_only_the_fields_it_sets(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    player = await new_player(service, unique)
    prefs = Preferences(four_color_deck=True, language="pt-BR")
    updated = await service.update_profile(
        player.id,
        ProfileUpdate(
            display_name="  Pat the Shark ",
            avatar_url="https://cdn.example.com/pat.png",
            country="BR",
            preferences=prefs,
        ),
    )
    assert (updated.display_name, updated.avatar_url, updated.country) == (
        "Pat the Shark",
        "https://cdn.example.com/pat.png",
        "BR",
    )
    assert updated.preferences == prefs
    assert await service.get(player.id) == updated

    cleared = await service.update_profile(player.id, ProfileUpdate(avatar_url=None))
    assert cleared.avatar_url is None
    assert (cleared.display_name, cleared.country, cleared.preferences) == (
        "Pat the Shark",
        "BR",
        prefs,
    )
    unchanged = await service.update_profile(player.id, ProfileUpdate())
    assert unchanged == cleared

    assert [row[2]["fields"] for row in await audit_rows(engine, player.id, "player.profile")] == [
        ["avatar_url", "country", "display_name", "preferences"],
        ["avatar_url"],
    ]


@pytest.mark.parametrize(
    ("update", "code"),
    [
        (ProfileUpdate(display_name=""), "invalid_display_name"),
        (ProfileUpdate(avatar_url="javascript:alert(1)"), "invalid_avatar_url"),
        (ProfileUpdate(country="XX"), "invalid_country"),
        (ProfileUpdate(preferences=Preferences(language="?")), "invalid_preferences"),
        (ProfileUpdate(display_name="Fine", country="fr"), "invalid_country"),
    ],
)
async def test_an_invalid_profile_update_changes_nothing(
    service: Players, unique: Callable[[str], str], update: ProfileUpdate, code: str
) -> None:
    player = await new_player(service, unique)
    with refused(InvalidInput, code):
        await service.update_profile(player.id, update)
    assert await service.get(player.id) == player


def test_profile_updates_decode_unset_null_and_refuse_unknown_fields() -> None:
    update = msgspec.json.decode(b'{"avatar_url": null}', type=ProfileUpdate)
    assert update.avatar_url is None
    assert update.display_name is msgspec.UNSET
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"role": "admin"}', type=ProfileUpdate)


# --- Roles and disabled accounts ---------------------------------------------------------------


async def test_a_role_change_is_audited_with_old_and_new(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    player = await new_player(service, unique)
    promoted = await service.set_role(actor=ADMIN, player_id=player.id, role=Role.DIRECTOR)
    assert promoted.role is Role.DIRECTOR
    same = await service.set_role(actor=ADMIN, player_id=player.id, role=Role.DIRECTOR)
    assert same == promoted  # no change, no audit row
    assert await audit_rows(engine, player.id, "player.role") == [
        (ADMIN.id, "admin", {"old": "player", "new": "director"})
    ]


async def test_an_unknown_role_is_refused(service: Players, unique: Callable[[str], str]) -> None:
    player = await new_player(service, unique)
    with refused(InvalidInput, "invalid_role"):
        await service.set_role(actor=ADMIN, player_id=player.id, role="owner")  # type: ignore[arg-type]


async def test_disabling_ends_every_session_and_is_audited(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    player, first = await service.register(username=unique("sam"), password=PASSWORD)
    _, second = await service.login(username=player.username, password=PASSWORD)
    disabled = await service.set_disabled(actor=ADMIN, player_id=player.id, disabled=True)
    assert disabled.disabled
    assert await service.is_disabled(player.id)
    for tokens in (first, second):
        with refused(Unauthenticated, "session_revoked"):
            await service.authenticate(tokens.access_token)
    await service.set_disabled(actor=ADMIN, player_id=player.id, disabled=True)  # no change
    await service.set_disabled(actor=ADMIN, player_id=player.id, disabled=False)
    assert await audit_rows(engine, player.id, "player.disabled") == [
        (ADMIN.id, "admin", {"old": False, "new": True, "sessions_revoked": 2}),
        (ADMIN.id, "admin", {"old": True, "new": False, "sessions_revoked": 0}),
    ]
    async with engine.connect() as connection:
        reasons = await connection.scalars(
            select(sessions.c.revoked_reason).where(sessions.c.player_id == player.id)
        )
        assert sorted(reasons) == ["disabled", "disabled"]


async def test_the_last_admin_can_be_neither_demoted_nor_disabled(
    empty_database_url: str, settings: Settings, unique: Callable[[str], str]
) -> None:
    engine = create_engine(empty_database_url, pool_size=2)
    try:
        service = Players(engine, settings)
        first = await service.create_admin(username=unique("root"), password=PASSWORD)
        me = Actor(id=first.id, role="admin")
        with refused(Conflict, "last_admin"):
            await service.set_role(actor=me, player_id=first.id, role=Role.PLAYER)
        with refused(Conflict, "last_admin"):
            await service.set_disabled(actor=me, player_id=first.id, disabled=True)

        second = await service.create_admin(username=unique("ops"), password=PASSWORD)
        demoted = await service.set_role(actor=me, player_id=first.id, role=Role.DIRECTOR)
        assert demoted.role is Role.DIRECTOR
        with refused(Conflict, "last_admin"):
            await service.set_disabled(actor=me, player_id=second.id, disabled=True)
    finally:
        await engine.dispose()


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    empty_database_url: str, settings: Settings, unique: Callable[[str], str]
) -> None:
    engine = create_engine(empty_database_url, pool_size=4)
    try:
        service = Players(engine, settings)
        a = await service.create_admin(username=unique("ada"), password=PASSWORD)
        b = await service.create_admin(username=unique("bea"), password=PASSWORD)
        outcomes = await asyncio.gather(
            service.set_role(actor=Actor(id=a.id), player_id=b.id, role=Role.PLAYER),
            service.set_role(actor=Actor(id=b.id), player_id=a.id, role=Role.PLAYER),
            return_exceptions=True,
        )
        assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "Player"]
        roles = {(await service.get(p.id)).role for p in (a, b)}
        assert roles == {Role.ADMIN, Role.PLAYER}
    finally:
        await engine.dispose()


async def test_create_admin_registers_or_promotes_and_is_audited_as_the_cli(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    fresh = await service.create_admin(username=unique("boss"), password=PASSWORD)
    assert fresh.role is Role.ADMIN
    cli = ("cli", "system")
    assert await audit_rows(engine, fresh.id, "player.register") == [
        (*cli, {"username": fresh.username, "role": "admin"})
    ]
    await service.login(username=fresh.username, password=PASSWORD)

    existing = await new_player(service, unique)
    await service.set_disabled(actor=ADMIN, player_id=existing.id, disabled=True)
    promoted = await service.create_admin(
        username=existing.username.upper(), password="new pass 123"
    )
    assert (promoted.id, promoted.role, promoted.disabled) == (existing.id, Role.ADMIN, False)
    await service.login(username=existing.username, password="new pass 123")
    assert await audit_rows(engine, existing.id, "player.role") == [
        (*cli, {"old": "player", "new": "admin"})
    ]
    assert await audit_rows(engine, existing.id, "player.password") == [(*cli, {"reset": True})]
    assert (await audit_rows(engine, existing.id, "player.disabled"))[-1] == (
        *cli,
        {"old": True, "new": False},
    )


# --- Statistics from hands ---------------------------------------------------------------------


def hand(hand_id: str, names: Sequence[str], *actions: Action) -> HandHistory:
    """A finished no-limit hand at 1/2, 200 chips each, the button on the first name."""
    config = HandConfig(
        variant="NLHE",
        stacks=(200,) * len(names),
        button=0,
        blinds=Blinds(sb=1, bb=2),
        deck=tuple(range(52)),
    )
    transition = start_hand(config)
    state, events = transition.state, list(transition.events)
    for action in actions:
        transition = apply(state, action)
        state = transition.state
        events.extend(transition.events)
    meta = HandMeta(
        hand_id=hand_id,
        table="t1",
        started_at="2026-06-01T18:00:00+00:00",
        max_seats=6,
        seats=tuple(range(1, len(names) + 1)),
        players=tuple(names),
    )
    return build_history(config, state, events, meta)


def raised_and_won(hand_id: str, names: Sequence[str]) -> HandHistory:
    """Button raises to 6, small blind folds, big blind calls; big blind checks the flop, the
    button bets and the big blind folds. Net: +7, -1, -6."""
    return hand(
        hand_id,
        names,
        Raise(seat=0, to=6),
        Fold(seat=1),
        Call(seat=2),
        Check(seat=2),
        Bet(seat=0, to=10),
        Fold(seat=2),
    )


def limped_and_stolen(hand_id: str, names: Sequence[str]) -> HandHistory:
    """Button limps, small blind completes, big blind checks; the small blind bets the flop and
    both fold. Net: -2, +4, -2."""
    return hand(
        hand_id,
        names,
        Call(seat=0),
        Call(seat=1),
        Check(seat=2),
        Bet(seat=1, to=4),
        Fold(seat=2),
        Fold(seat=0),
    )


async def test_hands_add_exact_statistics_and_experience(
    service: Players, unique: Callable[[str], str]
) -> None:
    ann, bob, cy = [await new_player(service, unique, name) for name in ("ann", "bob", "cy")]
    ids = [ann.id, bob.id, cy.id]
    assert await service.record_hand(raised_and_won(unique("hand"), ids), currency="CHIP")
    assert await service.record_hand(limped_and_stolen(unique("hand"), ids), currency="CHIP")

    ann_stats, bob_stats, cy_stats = [await service.stats(pid) for pid in ids]
    assert (ann_stats.hands_played, ann_stats.vpip_hands, ann_stats.pfr_hands) == (2, 2, 1)
    assert (ann_stats.vpip, ann_stats.pfr, ann_stats.net_won) == (100.0, 50.0, {"CHIP": 5})
    assert (bob_stats.vpip_hands, bob_stats.pfr_hands, bob_stats.net_won) == (1, 0, {"CHIP": 3})
    assert (bob_stats.vpip, bob_stats.pfr) == (50.0, 0.0)
    assert (cy_stats.vpip_hands, cy_stats.pfr_hands, cy_stats.net_won) == (1, 0, {"CHIP": -8})
    for pid in ids:
        assert (await service.get(pid)).xp == 2


async def test_a_hand_is_counted_once_however_often_it_is_recorded(
    service: Players, unique: Callable[[str], str]
) -> None:
    ann, bob, cy = [await new_player(service, unique, name) for name in ("ann", "bob", "cy")]
    history = raised_and_won(unique("hand"), [ann.id, bob.id, cy.id])
    assert await service.record_hand(history, currency="CHIP")
    assert not await service.record_hand(history, currency="CHIP")
    assert not await service.record_hand(history, currency="USD")
    stats = await service.stats(ann.id)
    assert (stats.hands_played, stats.net_won) == (1, {"CHIP": 7})
    assert (await service.get(ann.id)).xp == 1


async def test_a_hand_recorded_twice_at_once_is_counted_once(
    service: Players, unique: Callable[[str], str]
) -> None:
    ann, bob, cy = [await new_player(service, unique, name) for name in ("ann", "bob", "cy")]
    history = limped_and_stolen(unique("hand"), [ann.id, bob.id, cy.id])
    applied = await asyncio.gather(
        *(service.record_hand(history, currency="CHIP") for _ in range(4))
    )
    assert sorted(applied) == [False, False, False, True]
    assert (await service.stats(bob.id)).net_won == {"CHIP": 4}


async def test_winnings_are_kept_per_currency(
    service: Players, unique: Callable[[str], str]
) -> None:
    ann, bob, cy = [await new_player(service, unique, name) for name in ("ann", "bob", "cy")]
    ids = [ann.id, bob.id, cy.id]
    await service.record_hand(raised_and_won(unique("hand"), ids), currency="CHIP")
    await service.record_hand(raised_and_won(unique("hand"), ids), currency="USD")
    await service.record_hand(limped_and_stolen(unique("hand"), ids), currency="USD")
    assert (await service.stats(ann.id)).net_won == {"CHIP": 7, "USD": 5}
    assert (await service.stats(cy.id)).net_won == {"CHIP": -6, "USD": -8}


@pytest.mark.parametrize("currency", ["", "C" * 17])
async def test_a_hand_in_an_impossible_currency_is_refused_and_not_counted(
    service: Players, unique: Callable[[str], str], currency: str
) -> None:
    ann = await new_player(service, unique, "ann")
    history = raised_and_won(unique("hand"), [ann.id, unique("bot"), unique("bot")])
    with refused(InvalidInput, "invalid_currency"):
        await service.record_hand(history, currency=currency)
    assert await service.record_hand(history, currency="CHIP")


async def test_seats_of_unregistered_players_are_left_out(
    service: Players, engine: AsyncEngine, unique: Callable[[str], str]
) -> None:
    ann = await new_player(service, unique, "ann")
    bot, guest = unique("bot"), unique("guest")
    assert await service.record_hand(
        raised_and_won(unique("hand"), [ann.id, bot, guest]), currency="CHIP"
    )
    assert (await service.stats(ann.id)).hands_played == 1
    async with engine.connect() as connection:
        rows = await connection.scalar(
            select(func.count())
            .select_from(player_winnings)
            .where(player_winnings.c.player_id.in_([bot, guest]))
        )
    assert rows == 0
    # A hand with no registered player at all is still remembered as counted.
    only_bots = limped_and_stolen(unique("hand"), [unique("b"), unique("b"), unique("b")])
    assert await service.record_hand(only_bots, currency="CHIP")
    assert not await service.record_hand(only_bots, currency="CHIP")


async def test_a_new_player_has_empty_statistics(
    service: Players, unique: Callable[[str], str]
) -> None:
    stats = await service.stats((await new_player(service, unique)).id)
    assert (stats.hands_played, stats.vpip, stats.pfr, stats.net_won) == (0, 0.0, 0.0, {})
    assert (stats.tournaments_played, stats.tournaments_cashed, stats.tournaments_won) == (0, 0, 0)


# --- Statistics from tournaments ---------------------------------------------------------------


async def test_tournaments_count_finishes_and_award_experience_once(
    service: Players, unique: Callable[[str], str]
) -> None:
    ann, bob, cy = [await new_player(service, unique, name) for name in ("ann", "bob", "cy")]
    tournament = unique("mtt")
    results = [
        TournamentResult(ann.id, 1, 600),
        TournamentResult(bob.id, 2, 400),
        TournamentResult(cy.id, 3, 0),
        TournamentResult(unique("bot"), 4, 0),
    ]
    assert await service.record_tournament(tournament, results, cashed_places=2)
    assert not await service.record_tournament(tournament, results, cashed_places=2)

    expected = {ann.id: (1, 1, 1, 135), bob.id: (1, 1, 0, 35), cy.id: (1, 0, 0, 10)}
    for pid, (played, cashed, won, xp) in expected.items():
        stats = await service.stats(pid)
        assert (stats.tournaments_played, stats.tournaments_cashed, stats.tournaments_won) == (
            played,
            cashed,
            won,
        )
        assert (await service.get(pid)).xp == xp
    assert (await service.get(ann.id)).level == 2  # 135 xp: past the 100 of level 2


async def test_impossible_tournament_results_write_nothing(
    service: Players, unique: Callable[[str], str]
) -> None:
    ann = await new_player(service, unique, "ann")
    tournament = unique("mtt")
    with refused(InvalidInput, "invalid_result"):
        await service.record_tournament(
            tournament, [TournamentResult(ann.id, 0, 10)], cashed_places=1
        )
    assert await service.record_tournament(
        tournament, [TournamentResult(ann.id, 1, 10)], cashed_places=1
    )
