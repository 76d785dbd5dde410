"""The caller's own profile, and other players' public profiles and statistics."""

from __future__ import annotations

import msgspec

from tablium.api.endpoints import SIGNED_IN, Call, Endpoint
from tablium.players.service import Player, PlayerStats, ProfileUpdate, PublicPlayer


class PlayerCard(msgspec.Struct, frozen=True, kw_only=True):
    """What any signed-in player may see of another: public profile and statistics."""

    player: PublicPlayer
    stats: PlayerStats


async def get_me(call: Call[None, None]) -> Player:
    """The caller's full profile."""
    return await call.services.players.get(call.me.player_id)


async def update_me(call: Call[ProfileUpdate, None]) -> Player:
    """Change the caller's display name, avatar URL, country or preferences; fields left out
    stay as they are, ``null`` clears the avatar or the country."""
    return await call.services.players.update_profile(call.me.player_id, call.body)


async def get_my_stats(call: Call[None, None]) -> PlayerStats:
    """The caller's statistics: hands, VPIP, PFR, net won per currency, tournaments."""
    return await call.services.players.stats(call.me.player_id)


async def get_player(call: Call[None, None]) -> PlayerCard:
    """Another player's public profile and statistics."""
    player_id = call.path["player_id"]
    players = call.services.players
    return PlayerCard(player=await players.public(player_id), stats=await players.stats(player_id))


ENDPOINTS = (
    Endpoint(
        method="GET",
        path="/api/me",
        handler=get_me,
        summary="My profile",
        tag="players",
        roles=SIGNED_IN,
        response=Player,
    ),
    Endpoint(
        method="PATCH",
        path="/api/me",
        handler=update_me,
        summary="Update my profile",
        tag="players",
        roles=SIGNED_IN,
        body=ProfileUpdate,
        response=Player,
    ),
    Endpoint(
        method="GET",
        path="/api/me/stats",
        handler=get_my_stats,
        summary="My statistics",
        tag="players",
        roles=SIGNED_IN,
        response=PlayerStats,
    ),
    Endpoint(
        method="GET",
        path="/api/players/{player_id}",
        handler=get_player,
        summary="A player's public profile",
        tag="players",
        roles=SIGNED_IN,
        response=PlayerCard,
        errors=(404,),
    ),
)
