"""The provably fair shuffle: commit to a server seed, shuffle with it, reveal it afterwards.

Before any card of a hand is dealt the server publishes ``commitment(server_seed)``; players may
add client seeds; at the end of the hand the seed is revealed and anyone can recompute the deck
with :func:`shuffle_deck` and check it with :func:`verify_deck`. Period commitments can be batched
into one published Merkle root (:func:`merkle_root`, :func:`merkle_proof`,
:func:`verify_merkle_proof`).

Everything here is specified byte for byte in ``docs/fairness.md`` (algorithm
``tablium-shuffle-v1``) so it can be re-implemented in any language; change nothing in the
derivation without bumping :data:`ALGORITHM`. This module never draws randomness: the shell makes
seeds with :func:`tablium.entropy.new_server_seed`.

>>> seed = bytes(32)
>>> commitment(seed)
'66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925'
>>> format_cards(shuffle_deck(seed)[:5], " ")
'3s Qc 5c 5h 8c'
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterator, Sequence
from typing import Literal

import msgspec

from tablium.poker.cards import DECK_SIZE, STANDARD_DECK, Card, format_card, format_cards
from tablium.poker.errors import MalformedInput, PokerError

__all__ = [
    "ALGORITHM",
    "MAX_CLIENT_SEEDS",
    "MAX_CLIENT_SEED_LENGTH",
    "SEED_BYTES",
    "FairnessViolation",
    "MerkleStep",
    "client_digest",
    "commitment",
    "deck_text",
    "draw_index",
    "keystream_words",
    "merkle_proof",
    "merkle_root",
    "parse_server_seed",
    "shuffle_deck",
    "shuffle_with_words",
    "validate_client_seeds",
    "verify_deck",
    "verify_merkle_proof",
]

#: Name and version of the published algorithm; it is also the HMAC message prefix.
ALGORITHM = "tablium-shuffle-v1"
SEED_BYTES = 32
MAX_CLIENT_SEEDS = 10
MAX_CLIENT_SEED_LENGTH = 64

_PREFIX = ALGORITHM.encode("ascii")
_TWO_32 = 1 << 32
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# RFC 6962 domain separation: a leaf hash can never be confused with an interior node hash.
_LEAF = b"\x00"
_NODE = b"\x01"


class FairnessViolation(PokerError):
    """A revealed seed does not match its commitment, or the deck is not the one it produces.

    ``position`` is the 0-based deck index (0 = top of the deck) of the first wrong card, or
    ``None`` when the failure is not about a single position.
    """

    code = "unfair"

    def __init__(self, reason: str, *, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position


class MerkleStep(msgspec.Struct, frozen=True):
    """One step of a Merkle inclusion proof: a sibling hash and the side it sits on.

    ``side == "left"`` means parent = H(0x01 || hash || current); ``"right"`` means
    parent = H(0x01 || current || hash). ``hash`` is 64 lowercase hex digits.
    """

    side: Literal["left", "right"]
    hash: str


# --- seeds ------------------------------------------------------------------------------------


def _check_server_seed(server_seed: bytes) -> bytes:
    if not isinstance(server_seed, bytes | bytearray | memoryview):
        raise MalformedInput(f"a server seed is bytes, got {type(server_seed).__name__}")
    seed = bytes(server_seed)
    if len(seed) != SEED_BYTES:
        raise MalformedInput(f"a server seed is exactly {SEED_BYTES} bytes, got {len(seed)}")
    return seed


def _parse_hex32(text: str, what: str) -> bytes:
    # bytes.fromhex alone would accept whitespace, so check the alphabet and length first.
    if not isinstance(text, str) or len(text) != 2 * SEED_BYTES or not _HEX_DIGITS.issuperset(text):
        raise MalformedInput(f"{what} is {2 * SEED_BYTES} hex digits, got {text!r}")
    return bytes.fromhex(text)


def parse_server_seed(server_seed_hex: str) -> bytes:
    """Decode a revealed server seed: exactly 64 hex digits (either case) to 32 bytes."""
    return _parse_hex32(server_seed_hex, "a server seed")


def commitment(server_seed: bytes) -> str:
    """The published commitment: lowercase hex SHA-256 of the 32-byte server seed."""
    return hashlib.sha256(_check_server_seed(server_seed)).hexdigest()


def validate_client_seeds(client_seeds: Sequence[str]) -> tuple[str, ...]:
    """Check client seeds: at most 10, each a str of 1 to 64 printable ASCII chars (0x20-0x7E).

    A bare ``str`` is refused rather than silently treated as a sequence of one-character seeds.
    """
    if isinstance(client_seeds, str | bytes) or not isinstance(client_seeds, Sequence):
        raise MalformedInput("client seeds are a sequence of strings")
    seeds = tuple(client_seeds)
    if len(seeds) > MAX_CLIENT_SEEDS:
        raise MalformedInput(f"at most {MAX_CLIENT_SEEDS} client seeds, got {len(seeds)}")
    for seed in seeds:
        if not isinstance(seed, str):
            raise MalformedInput(f"a client seed is a string, got {type(seed).__name__}")
        if not 1 <= len(seed) <= MAX_CLIENT_SEED_LENGTH:
            raise MalformedInput(
                f"a client seed is 1 to {MAX_CLIENT_SEED_LENGTH} characters, got {len(seed)}"
            )
        if not all(" " <= ch <= "~" for ch in seed):
            raise MalformedInput(f"a client seed is printable ASCII only, got {seed!r}")
    return seeds


def client_digest(client_seeds: Sequence[str] = ()) -> bytes:
    """SHA-256 over the client seeds, each as a 4-byte big-endian length then its ASCII bytes.

    The length prefix makes the encoding unambiguous: ``("ab", "c")`` and ``("a", "bc")`` differ,
    and so does the order of the seeds. No seeds gives SHA-256 of the empty string.
    """
    material = bytearray()
    for seed in validate_client_seeds(client_seeds):
        raw = seed.encode("ascii")
        material += struct.pack(">I", len(raw)) + raw
    return hashlib.sha256(material).digest()


# --- the generator ----------------------------------------------------------------------------


def keystream_words(server_seed: bytes, client_seeds: Sequence[str] = ()) -> Iterator[int]:
    """The unbounded stream of 32-bit words that drives the shuffle.

    Block ``k`` (k = 0, 1, 2, ...) is HMAC-SHA256 with the server seed as key over
    ``b"tablium-shuffle-v1" || client_digest || k as 8-byte big-endian``; the blocks are
    concatenated and read as 4-byte big-endian unsigned integers, 8 per block.
    """
    key = _check_server_seed(server_seed)
    head = _PREFIX + client_digest(client_seeds)
    counter = 0
    while True:
        block = hmac.digest(key, head + struct.pack(">Q", counter), "sha256")
        yield from struct.unpack(">8I", block)
        counter += 1


def draw_index(words: Iterator[int], bound: int) -> int:
    """A uniform integer in ``[0, bound)`` from 32-bit words, by rejection sampling.

    Words at or above the largest multiple of ``bound`` not exceeding 2**32 are discarded (they
    would make small results more likely); the first accepted word ``w`` gives ``w % bound``.
    """
    if not 1 <= bound <= _TWO_32:
        raise MalformedInput(f"cannot draw below {bound}")
    limit = _TWO_32 - _TWO_32 % bound
    for word in words:
        if word < limit:
            return word % bound
    raise MalformedInput("the word stream ended")


def shuffle_with_words(words: Iterator[int]) -> tuple[Card, ...]:
    """Durstenfeld's Fisher-Yates over the standard deck, drawing from ``words``.

    For i = 51 down to 1: j = draw_index(words, i + 1), then swap positions i and j.
    """
    deck = list(STANDARD_DECK)
    for i in range(DECK_SIZE - 1, 0, -1):
        j = draw_index(words, i + 1)
        deck[i], deck[j] = deck[j], deck[i]
    return tuple(deck)


def shuffle_deck(server_seed: bytes, client_seeds: Sequence[str] = ()) -> tuple[Card, ...]:
    """The deck for a hand: index 0 is the top card. Deterministic in the seed and client seeds.

    Raises :class:`MalformedInput` for a seed that is not 32 bytes or bad client seeds.
    """
    return shuffle_with_words(keystream_words(server_seed, client_seeds))


# --- verification -----------------------------------------------------------------------------


def _card_text(card: object) -> str:
    if isinstance(card, int) and not isinstance(card, bool) and 0 <= card < DECK_SIZE:
        return format_card(card)
    return repr(card)


def verify_deck(
    server_seed_hex: str,
    commitment_hex: str,
    client_seeds: Sequence[str],
    deck: Sequence[Card],
) -> None:
    """Check a revealed seed against its commitment and the recorded 52-card deck.

    Returns ``None`` if everything matches. Raises :class:`MalformedInput` if an input cannot be
    parsed, and :class:`FairnessViolation` on a commitment mismatch, a deck of the wrong size, or
    the first position (0 = top of the deck) whose card differs from the recomputed shuffle.
    """
    seed = parse_server_seed(server_seed_hex)
    published = _parse_hex32(commitment_hex, "a commitment").hex()
    actual = commitment(seed)
    if actual != published:
        raise FairnessViolation(
            f"commitment mismatch: SHA-256 of the revealed seed is {actual}, "
            f"but the published commitment is {published}"
        )
    expected = shuffle_deck(seed, client_seeds)
    recorded = tuple(deck)
    if len(recorded) != DECK_SIZE:
        raise FairnessViolation(
            f"deck mismatch: the recorded deck has {len(recorded)} cards, not {DECK_SIZE}"
        )
    for position, (want, got) in enumerate(zip(expected, recorded, strict=True)):
        if want != got:
            raise FairnessViolation(
                f"deck mismatch at position {position}: the seeds give {format_card(want)}, "
                f"the recorded deck has {_card_text(got)}",
                position=position,
            )


# --- Merkle batching --------------------------------------------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _leaf_hashes(commitments: Sequence[str]) -> list[bytes]:
    if isinstance(commitments, str) or not isinstance(commitments, Sequence):
        raise MalformedInput("commitments are a sequence of hex strings")
    if not commitments:
        raise MalformedInput("a Merkle tree needs at least one commitment")
    return [_sha256(_LEAF + _parse_hex32(c, "a commitment")) for c in commitments]


def _parent_level(level: list[bytes]) -> list[bytes]:
    # Pair left to right; an unpaired last node moves up unchanged (never duplicated), which is
    # exactly the RFC 6962 Merkle Tree Hash.
    parents = [_sha256(_NODE + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        parents.append(level[-1])
    return parents


def merkle_root(commitments: Sequence[str]) -> str:
    """Root (lowercase hex) of the RFC 6962 Merkle tree over hand commitments, in order.

    Leaf = SHA-256(0x00 || 32 commitment bytes); node = SHA-256(0x01 || left || right); an odd
    node at the end of a level is carried up to the next level unchanged.
    """
    level = _leaf_hashes(commitments)
    while len(level) > 1:
        level = _parent_level(level)
    return level[0].hex()


def merkle_proof(commitments: Sequence[str], index: int) -> list[MerkleStep]:
    """Inclusion proof for ``commitments[index]``: sibling hashes from the leaf up to the root.

    Levels where the node is carried up unchanged contribute no step; a one-leaf tree has an
    empty proof.
    """
    level = _leaf_hashes(commitments)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(level):
        raise MalformedInput(f"no commitment at index {index!r} of {len(level)}")
    proof: list[MerkleStep] = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            side: Literal["left", "right"] = "left" if sibling < index else "right"
            proof.append(MerkleStep(side=side, hash=level[sibling].hex()))
        level = _parent_level(level)
        index //= 2
    return proof


def verify_merkle_proof(leaf: str, proof: Sequence[MerkleStep], root: str) -> bool:
    """Whether the commitment ``leaf`` (hex) is in the tree with root ``root`` (hex).

    Malformed hex or steps raise :class:`MalformedInput`; a well-formed proof that does not lead
    to the root returns ``False``.
    """
    node = _sha256(_LEAF + _parse_hex32(leaf, "a commitment"))
    for step in proof:
        if not isinstance(step, MerkleStep):
            raise MalformedInput(f"a Merkle proof step is a MerkleStep, got {step!r}")
        sibling = _parse_hex32(step.hash, "a Merkle proof hash")
        if step.side == "left":
            node = _sha256(_NODE + sibling + node)
        elif step.side == "right":
            node = _sha256(_NODE + node + sibling)
        else:
            raise MalformedInput(f"a Merkle proof side is 'left' or 'right', got {step.side!r}")
    return hmac.compare_digest(node, _parse_hex32(root, "a Merkle root"))


def deck_text(deck: Sequence[Card]) -> str:
    """The deck as space-separated card text, top card first (``"As Kd ..."``)."""
    return format_cards(deck, " ")
