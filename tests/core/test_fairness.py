"""The provably fair shuffle: published vectors, an independent re-implementation, edge cases.

The vectors live in ``fairness_vectors.json`` and are shown in ``docs/fairness.md``; both the
reference implementation and the straightforward re-implementation below (written from the doc,
not from ``fairness.py``) must reproduce them.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import random
import struct
from pathlib import Path
from typing import Any, Literal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablium.entropy import new_server_seed
from tablium.poker.cards import STANDARD_DECK, format_cards, parse_deck
from tablium.poker.errors import MalformedInput, PokerError
from tablium.poker.fairness import (
    ALGORITHM,
    FairnessViolation,
    MerkleStep,
    client_digest,
    commitment,
    deck_text,
    draw_index,
    keystream_words,
    merkle_proof,
    merkle_root,
    parse_server_seed,
    shuffle_deck,
    shuffle_with_words,
    validate_client_seeds,
    verify_deck,
    verify_merkle_proof,
)

HERE = Path(__file__).resolve().parent
VECTORS: dict[str, Any] = json.loads((HERE / "fairness_vectors.json").read_text("utf-8"))
DOC = HERE.parent.parent / "docs" / "fairness.md"
SHUFFLES: list[dict[str, Any]] = VECTORS["shuffles"]
MERKLES: list[dict[str, Any]] = VECTORS["merkle"]
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))


# --- an independent re-implementation, from docs/fairness.md alone ---------------------------


def ref_shuffle(seed: bytes, client_seeds: list[str]) -> list[int]:
    """Sections 3-6 of the doc, written out as plainly as possible."""
    assert len(seed) == 32
    material = b""
    for s in client_seeds:
        b = s.encode("ascii")
        material += len(b).to_bytes(4, "big") + b
    digest = hashlib.sha256(material).digest()
    stream = bytearray()
    counter = 0
    pos = 0

    def next_word() -> int:
        nonlocal counter, pos
        if pos + 4 > len(stream):
            msg = b"tablium-shuffle-v1" + digest + counter.to_bytes(8, "big")
            stream.extend(hmac.new(seed, msg, hashlib.sha256).digest())
            counter += 1
        word = int.from_bytes(stream[pos : pos + 4], "big")
        pos += 4
        return word

    deck = list(range(52))
    i = 51
    while i >= 1:
        n = i + 1
        limit = (2**32 // n) * n
        while True:
            w = next_word()
            if w < limit:
                break
        j = w % n
        deck[i], deck[j] = deck[j], deck[i]
        i -= 1
    return deck


def ref_text(deck: list[int]) -> str:
    return " ".join("23456789TJQKA"[c // 4] + "cdhs"[c % 4] for c in deck)


def ref_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 Merkle Tree Hash, recursively (split at the largest power of two < n)."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_verify_proof(leaf_hex: str, proof: list[dict[str, str]], root_hex: str) -> bool:
    h = hashlib.sha256(b"\x00" + bytes.fromhex(leaf_hex)).digest()
    for step in proof:
        sib = bytes.fromhex(step["hash"])
        pair = sib + h if step["side"] == "left" else h + sib
        h = hashlib.sha256(b"\x01" + pair).digest()
    return h.hex() == root_hex


def seed_for(label: str, k: int) -> bytes:
    return hashlib.sha256(f"{label} {k}".encode()).digest()


def commitments_for(n: int) -> list[str]:
    return [commitment(seed_for("merkle", k)) for k in range(n)]


# --- the published vectors --------------------------------------------------------------------


def test_vector_file_is_for_this_algorithm() -> None:
    assert VECTORS["algorithm"] == ALGORITHM == "tablium-shuffle-v1"
    counts = [len(v["client_seeds"]) for v in SHUFFLES]
    assert len(SHUFFLES) >= 4
    assert 0 in counts
    assert 2 in counts
    assert MERKLES


@pytest.mark.parametrize("vector", SHUFFLES, ids=lambda v: v["name"])
def test_vector_matches_implementation(vector: dict[str, Any]) -> None:
    seed = bytes.fromhex(vector["server_seed"])
    clients = vector["client_seeds"]
    assert commitment(seed) == vector["commitment"]
    assert client_digest(clients).hex() == vector["client_digest"]
    words = keystream_words(seed, clients)
    assert struct.pack(">8I", *(next(words) for _ in range(8))).hex() == vector["block_0"]
    deck = shuffle_deck(seed, clients)
    assert deck_text(deck) == vector["deck"]
    assert parse_deck(vector["deck"]) == deck
    verify_deck(vector["server_seed"], vector["commitment"], clients, deck)


@pytest.mark.parametrize("vector", SHUFFLES, ids=lambda v: v["name"])
def test_vector_matches_reference_implementation(vector: dict[str, Any]) -> None:
    seed = bytes.fromhex(vector["server_seed"])
    assert hashlib.sha256(seed).hexdigest() == vector["commitment"]
    assert ref_text(ref_shuffle(seed, vector["client_seeds"])) == vector["deck"]


def test_rejection_vector_really_rejects() -> None:
    (vector,) = [v for v in SHUFFLES if "rejection" in v["name"]]
    words = keystream_words(bytes.fromhex(vector["server_seed"]))
    # Without rejection, word m is the draw for bound 52 - m; find the words that get rejected.
    rejected = [
        (m, 52 - m) for m, w in zip(range(51), words, strict=False) if w >= 2**32 - 2**32 % (52 - m)
    ]
    assert rejected == [(33, 19)]


@pytest.mark.parametrize("merkle", MERKLES, ids=lambda m: m["name"])
def test_merkle_vector(merkle: dict[str, Any]) -> None:
    leaves: list[str] = merkle["commitments"]
    assert merkle_root(leaves) == merkle["root"]
    assert ref_mth([bytes.fromhex(c) for c in leaves]).hex() == merkle["root"]
    for entry in merkle["proofs"]:
        proof = msgspec.convert(entry["proof"], list[MerkleStep])
        assert merkle_proof(leaves, entry["index"]) == proof
        assert verify_merkle_proof(leaves[entry["index"]], proof, merkle["root"])
        assert ref_verify_proof(leaves[entry["index"]], entry["proof"], merkle["root"])


def test_doc_shows_the_same_vectors() -> None:
    doc = DOC.read_text("utf-8")
    assert "## 7a. Dealing order" in doc
    assert "dealt one at a time from the top of the deck (index 0)" in doc
    assert "tests/core/fairness_vectors.json" in doc
    for v in SHUFFLES:
        for key in ("server_seed", "commitment", "client_digest", "block_0", "deck"):
            assert v[key] in doc, (v["name"], key)
        assert f"client_seeds  = [{', '.join(json.dumps(s) for s in v['client_seeds'])}]" in doc
    for m in MERKLES:
        for value in [m["root"], *m["commitments"]]:
            assert value in doc
        for entry in m["proofs"]:
            for step in entry["proof"]:
                assert json.dumps(step) in doc


def test_doc_pseudocode_matches() -> None:
    # The pseudocode in section 10 is meant to be runnable as is: run it on every vector.
    doc = DOC.read_text("utf-8")
    start = doc.index("```python\n", doc.index("## 10.")) + len("```python\n")
    namespace: dict[str, Any] = {}
    exec(doc[start : doc.index("```", start)], namespace)
    for v in SHUFFLES:
        deck = namespace["shuffle"](bytes.fromhex(v["server_seed"]), v["client_seeds"])
        assert ref_text(deck) == v["deck"]


# --- agreement and properties -----------------------------------------------------------------


def test_reference_agrees_on_200_random_seeds() -> None:
    rng = random.Random(20240601)
    for _ in range(200):
        seed = rng.randbytes(32)
        clients = [
            "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(1, 64)))
            for _ in range(rng.randint(0, 10))
        ]
        assert list(shuffle_deck(seed, clients)) == ref_shuffle(seed, clients)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    clients=st.lists(st.text(alphabet=PRINTABLE, min_size=1, max_size=64), max_size=10),
)
def test_shuffle_is_always_a_permutation(seed: bytes, clients: list[str]) -> None:
    deck = shuffle_deck(seed, clients)
    assert isinstance(deck, tuple)
    assert sorted(deck) == list(range(52))
    assert shuffle_deck(seed, clients) == deck  # deterministic


def test_client_seed_order_and_boundaries_matter() -> None:
    seed = seed_for("order", 0)
    decks = {
        shuffle_deck(seed, c)
        for c in [(), ("x",), ("x", "y"), ("y", "x"), ("ab", "c"), ("a", "bc"), ("abc",)]
    }
    assert len(decks) == 7
    assert client_digest(["ab", "c"]) != client_digest(["a", "bc"])
    assert client_digest([]) == hashlib.sha256(b"").digest()


def test_commitment_is_sha256_of_raw_seed() -> None:
    seed = bytes(range(32))
    assert commitment(seed) == hashlib.sha256(seed).hexdigest()


def test_new_server_seed_is_32_fresh_bytes() -> None:
    a, b = new_server_seed(), new_server_seed()
    assert isinstance(a, bytes)
    assert len(a) == len(b) == 32
    assert a != b
    assert len(shuffle_deck(a)) == 52


def test_core_module_draws_no_randomness_of_its_own() -> None:
    from tablium.poker import fairness

    tree = ast.parse(Path(fairness.__file__).read_text("utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"os", "random", "secrets", "time", "asyncio", "socket"}


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), bytes(64), "00" * 32, None, 0])
def test_bad_server_seed_rejected(seed: Any) -> None:
    with pytest.raises(MalformedInput):
        commitment(seed)
    with pytest.raises(MalformedInput):
        shuffle_deck(seed)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "00" * 31,
        "00" * 33,
        "0" * 63,
        "zz" * 32,
        "0x" + "00" * 31,
        " " + "0" * 63,
        "00" * 16 + " " + "0" * 31,
        "00" * 31 + "0\n",
        "é" * 64,
    ],
)
def test_bad_server_seed_hex_rejected(text: str) -> None:
    with pytest.raises(MalformedInput):
        parse_server_seed(text)
    with pytest.raises(MalformedInput):
        verify_deck(text, "00" * 32, [], STANDARD_DECK)


def test_seed_hex_is_case_insensitive() -> None:
    v = SHUFFLES[2]
    assert parse_server_seed(v["server_seed"].upper()) == bytes.fromhex(v["server_seed"])
    deck = parse_deck(v["deck"])
    verify_deck(v["server_seed"].upper(), v["commitment"].upper(), v["client_seeds"], deck)


@pytest.mark.parametrize(
    "clients",
    [
        [""],
        ["x" * 65],
        ["tab\there"],
        ["new\nline"],
        ["caf\u00e9"],
        ["\x7f"],
        ["ok", ""],
        ["s"] * 11,
        "abc",  # a bare string is not a list of seeds
        [b"bytes"],
        [5],
        None,
    ],
)
def test_bad_client_seeds_rejected(clients: Any) -> None:
    with pytest.raises(MalformedInput):
        validate_client_seeds(clients)
    with pytest.raises(MalformedInput):
        shuffle_deck(bytes(32), clients)


def test_client_seed_boundaries_accepted() -> None:
    ok = ["x" * 64, " ", "~", PRINTABLE[:64], *["s"] * 6]
    assert validate_client_seeds(ok) == tuple(ok)
    assert len(shuffle_deck(bytes(32), ok)) == 52


# --- rejection sampling, with crafted word streams --------------------------------------------


def test_draw_index_rejects_the_biased_tail() -> None:
    # 2**32 % 3 == 1: only 0xFFFFFFFF is rejected, and the next word is used.
    words = iter([0xFFFFFFFF, 7, 99])
    assert draw_index(words, 3) == 7 % 3
    assert next(words) == 99  # exactly two words consumed
    # 2**32 % 52 == 48: limit 4294967248; both tail words are skipped.
    assert draw_index(iter([4294967248, 4294967295, 4294967247]), 52) == 4294967247 % 52
    assert draw_index(iter([4294967247]), 52) == 4294967247 % 52
    # A power of two divides 2**32: nothing is rejected.
    assert draw_index(iter([0xFFFFFFFF]), 4) == 3
    assert draw_index(iter([0xFFFFFFFF]), 1) == 0
    with pytest.raises(MalformedInput):
        draw_index(iter([0xFFFFFFFF]), 3)  # the stream runs dry
    with pytest.raises(MalformedInput):
        draw_index(iter([1]), 0)


def test_shuffle_drops_rejected_words() -> None:
    base = [(k * 2654435761) % 2**32 for k in range(60)]
    crafted = [0xFFFFFFFF, *base]  # the first draw (bound 52) must skip the crafted word
    assert shuffle_with_words(iter(crafted)) == shuffle_with_words(iter(base))
    # j = 0 every time rotates the deck left by one.
    assert shuffle_with_words(iter([0] * 51)) == (*range(1, 52), 0)


# --- statistics: cheap, deterministic ---------------------------------------------------------


def chi_square_bound(dof: int, z: float) -> float:
    """Wilson-Hilferty approximation of the chi-square quantile at normal deviate ``z``."""
    a = 2 / (9 * dof)
    return float(dof * (1 - a + z * a**0.5) ** 3)


def position_counts(decks: list[tuple[int, ...]]) -> list[list[int]]:
    counts = [[0] * 52 for _ in range(52)]
    for deck in decks:
        for position, card in enumerate(deck):
            counts[card][position] += 1
    return counts


def worst_and_total_chi_square(counts: list[list[int]], samples: int) -> tuple[float, float]:
    expected = samples / 52
    per_card = [sum((c - expected) ** 2 / expected for c in row) for row in counts]
    return max(per_card), sum(per_card)


def test_positions_are_uniform() -> None:
    samples = 20_000
    decks = [shuffle_deck(seed_for("stat", k)) for k in range(samples)]
    worst, total = worst_and_total_chi_square(position_counts(decks), samples)
    # Per card: 51 degrees of freedom, bound at z = 4.75 (p ~ 1e-6 each, 52 cards).
    assert worst < chi_square_bound(51, 4.75)
    # Whole table (margins fixed): 51 * 51 degrees of freedom, bound at z = 5.
    assert total < chi_square_bound(51 * 51, 5.0)
    # And not suspiciously perfect either.
    assert total > chi_square_bound(51 * 51, -5.0)


def test_uniformity_check_catches_a_biased_shuffle() -> None:
    # Sattolo's variant (j in [0, i)) never leaves a card in place: the check must notice.
    samples = 2_000
    decks = []
    for k in range(samples):
        words = keystream_words(seed_for("biased", k))
        deck = list(range(52))
        for i in range(51, 0, -1):
            j = draw_index(words, i)
            deck[i], deck[j] = deck[j], deck[i]
        decks.append(tuple(deck))
    worst, _ = worst_and_total_chi_square(position_counts(decks), samples)
    assert worst > chi_square_bound(51, 4.75)


# --- verify_deck ------------------------------------------------------------------------------


def test_verify_deck_reports_commitment_mismatch() -> None:
    v = SHUFFLES[1]
    wrong = commitment(bytes(32))
    with pytest.raises(FairnessViolation, match="commitment mismatch") as info:
        verify_deck(v["server_seed"], wrong, v["client_seeds"], parse_deck(v["deck"]))
    assert info.value.code == "unfair"
    assert isinstance(info.value, PokerError)
    assert info.value.position is None


def test_verify_deck_reports_first_wrong_position() -> None:
    v = SHUFFLES[1]
    deck = list(parse_deck(v["deck"]))
    deck[17], deck[30] = deck[30], deck[17]
    with pytest.raises(FairnessViolation, match="deck mismatch at position 17") as info:
        verify_deck(v["server_seed"], v["commitment"], v["client_seeds"], deck)
    assert info.value.position == 17
    assert format_cards([deck[30]]) in str(info.value)


def test_verify_deck_checks_client_seeds_and_size() -> None:
    v = SHUFFLES[2]
    deck = parse_deck(v["deck"])
    with pytest.raises(FairnessViolation, match="deck mismatch at position"):
        verify_deck(v["server_seed"], v["commitment"], list(reversed(v["client_seeds"])), deck)
    with pytest.raises(FairnessViolation, match="51 cards"):
        verify_deck(v["server_seed"], v["commitment"], v["client_seeds"], deck[:51])
    with pytest.raises(FairnessViolation, match=r"position 51: .* 99"):
        verify_deck(v["server_seed"], v["commitment"], v["client_seeds"], (*deck[:51], 99))
    with pytest.raises(MalformedInput):
        verify_deck(v["server_seed"], "abc", v["client_seeds"], deck)


# --- Merkle batching --------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(1, 18))
def test_merkle_proofs_verify_for_every_leaf(size: int) -> None:
    leaves = commitments_for(size)
    root = merkle_root(leaves)
    assert root == ref_mth([bytes.fromhex(c) for c in leaves]).hex()
    outsider = commitment(seed_for("outsider", size))
    for index, leaf in enumerate(leaves):
        proof = merkle_proof(leaves, index)
        assert verify_merkle_proof(leaf, proof, root)
        as_json = msgspec.to_builtins(proof)
        assert ref_verify_proof(leaf, as_json, root)
        assert msgspec.json.decode(msgspec.json.encode(proof), type=list[MerkleStep]) == proof
        # A tampered leaf, a tampered step, or a swapped side must all fail.
        tampered = ("1" if leaf[0] == "0" else "0") + leaf[1:]
        assert not verify_merkle_proof(tampered, proof, root)
        assert not verify_merkle_proof(outsider, proof, root)
        for k, step in enumerate(proof):
            flipped = "f" if step.hash[-1] != "f" else "e"
            bad_hash = MerkleStep(side=step.side, hash=step.hash[:-1] + flipped)
            other: Literal["left", "right"] = "left" if step.side == "right" else "right"
            for bad in (bad_hash, MerkleStep(side=other, hash=step.hash)):
                assert not verify_merkle_proof(leaf, [*proof[:k], bad, *proof[k + 1 :]], root)
    if size == 1:
        assert merkle_proof(leaves, 0) == []


def test_merkle_rejects_malformed_input() -> None:
    leaves = commitments_for(3)
    with pytest.raises(MalformedInput):
        merkle_root([])
    with pytest.raises(MalformedInput):
        merkle_root(["not hex"])
    with pytest.raises(MalformedInput):
        merkle_root(leaves[0])  # a bare string is not a list of commitments
    for index in (-1, 3, True):
        with pytest.raises(MalformedInput):
            merkle_proof(leaves, index)
    with pytest.raises(MalformedInput):
        verify_merkle_proof(leaves[0], [MerkleStep(side="right", hash="xyz")], merkle_root(leaves))
    with pytest.raises(MalformedInput):
        verify_merkle_proof(leaves[0], [], "short")
