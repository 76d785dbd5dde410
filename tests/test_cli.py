"""The `tablium` commands as a user runs them: replay, play, verify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from tablium.cli import main
from tablium.offline import session
from tablium.poker.cards import format_cards, parse_cards
from tablium.poker.dealing import preset_deck
from tablium.poker.errors import MalformedInput
from tablium.poker.fairness import FairnessViolation
from tablium.poker.history import HandHistory, encode_history
from tablium.poker.verification import verify_history
from tablium.replay import replay_lines

SEED = bytes.fromhex("00112233445566778899aabbccddeeff")

HAND = {
    "variant": "NLHE",
    "starting_stacks": [200, 35, 900],
    "button": 2,
    "blinds": {"sb": 5, "bb": 10, "straddle": 0},
    "ante": {"kind": "none", "amount": 0},
    "deck": format_cards(preset_deck(["7c2d", "AsAh", "KsKh"], "3c4d8h9cJd", button=2)),
    "actions": [
        {"seat": 2, "type": "raise", "to": 30},
        {"seat": 0, "type": "call"},
        {"seat": 1, "type": "raise", "to": 35},
        {"seat": 2, "type": "call"},
        {"seat": 0, "type": "call"},
        {"seat": 0, "type": "check"},
        {"seat": 2, "type": "bet", "to": 100},
        {"seat": 0, "type": "fold"},
    ],
}


def replay_one(hand: object) -> dict[str, object]:
    line = next(replay_lines([json.dumps(hand)]))
    result: dict[str, object] = json.loads(line)
    return result


def test_replay_reports_final_stacks_and_the_bounds_before_each_action() -> None:
    out = replay_one(HAND)
    # Aces win the 105 main pot; the kings' uncalled 100 on the flop comes back.
    assert out == {
        "final_stacks": [165, 105, 865],
        "legal": [
            [10, 20, 900],
            [25, 50, 200],
            [20, 35, 35],
            [5, None, None],
            [5, None, None],
            [0, 10, 165],
            [0, 10, 865],
            [100, 165, 165],
        ],
    }


@pytest.mark.parametrize(
    "change, message",
    [
        ({"actions": [{"seat": 0, "type": "call"}]}, "action 0"),
        ({"actions": [{"seat": 2, "type": "raise", "to": 15}]}, "outside"),
        ({"actions": [{"seat": 2, "type": "raise", "to": 30.5}]}, "malformed"),
        ({"actions": [{"seat": 2, "type": "raise"}]}, "needs `to`"),
        ({"actions": [{"seat": 2, "type": "shove"}]}, "malformed"),
        ({"deck": "AsAs"}, "52"),
        ({"variant": "RAZZ"}, "unknown variant"),
        ({"starting_stacks": [200, -35, 900]}, "positive"),
        ({"surprise": 1}, "malformed"),
        ({"actions": HAND["actions"][:3]}, "end before the hand does"),
        ({"actions": [*HAND["actions"], {"seat": 1, "type": "check"}]}, "already over"),
    ],
)
def test_replay_answers_each_bad_line_with_an_error(
    change: dict[str, object], message: str
) -> None:
    out = replay_one({**HAND, **change})
    assert list(out) == ["error"]
    assert message in str(out["error"])


def test_replay_goes_on_after_a_bad_line() -> None:
    lines = [b"not json", json.dumps(HAND).encode(), b"", b"[1, 2]", json.dumps(HAND).encode()]
    out = [json.loads(x) for x in replay_lines(lines)]
    assert [("error" in o) for o in out] == [True, False, True, False]


def test_replay_command_reads_stdin_and_writes_json_lines() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "tablium.cli", "replay"],
        input=(json.dumps(HAND) + "\n" + json.dumps(HAND) + "\n").encode(),
        capture_output=True,
        check=True,
    )
    lines = process.stdout.decode().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["final_stacks"] == [165, 105, 865]


def test_play_writes_histories_that_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hands"
    assert (
        main(["play", "--players", "4", "--hands", "12", "--out", str(out), "--seed", SEED.hex()])
        == 0
    )
    histories = sorted(out.glob("*.json"))
    texts = sorted(out.glob("*.txt"))
    assert len(histories) == len(texts) == 12
    assert texts[0].read_text().startswith("PokerStars Hand #")
    capsys.readouterr()
    assert main(["verify", *map(str, histories)]) == 0
    assert capsys.readouterr().out.count(": fair") == 12


def test_play_with_a_seed_is_reproducible(tmp_path: Path) -> None:
    for name in ("a", "b"):
        main(
            [
                "play",
                "--players",
                "3",
                "--hands",
                "3",
                "--out",
                str(tmp_path / name),
                "--seed",
                "ab",
            ]
        )
    for first in (tmp_path / "a").iterdir():
        assert first.read_bytes() == (tmp_path / "b" / first.name).read_bytes()


def tampered(history: HandHistory, **changes: object) -> dict[str, object]:
    data: dict[str, object] = msgspec.json.decode(encode_history(history))
    for key, value in changes.items():
        if key.startswith("fairness."):
            fairness = dict(data["fairness"])  # type: ignore[call-overload]
            fairness[key.removeprefix("fairness.")] = value
            data["fairness"] = fairness
        else:
            data[key] = value
    return data


def a_history(variant: str = "NLHE") -> HandHistory:
    return next(session(3, 1, variant=variant, seed=SEED))


@pytest.mark.parametrize("variant", ["NLHE", "PLO", "FLHE"])
def test_an_honest_history_verifies(variant: str) -> None:
    for history in session(3, 5, variant=variant, seed=SEED):
        verify_history(msgspec.json.decode(encode_history(history)))


def test_verify_catches_a_seed_that_does_not_match_the_commitment() -> None:
    history = a_history()
    with pytest.raises(FairnessViolation, match="commitment"):
        verify_history(tampered(history, **{"fairness.server_seed": "00" * 32}))


def test_verify_catches_a_deck_that_the_seed_does_not_give() -> None:
    history = a_history()
    assert history.fairness is not None
    deck = parse_cards(history.fairness.deck)
    swapped = format_cards((deck[1], deck[0], *deck[2:]))
    with pytest.raises(FairnessViolation, match="position 0"):
        verify_history(tampered(history, **{"fairness.deck": swapped}))


def test_verify_catches_a_hole_card_that_is_not_from_the_deck() -> None:
    history = a_history()
    holes = list(history.hole_cards)
    holes[0], holes[1] = holes[1], holes[0]
    with pytest.raises(FairnessViolation, match="holds"):
        verify_history(tampered(history, hole_cards=holes))


def test_verify_catches_a_changed_board_or_result() -> None:
    history = next(h for h in session(3, 30, seed=SEED) if len(h.board) == 10)
    with pytest.raises(FairnessViolation, match="board"):
        verify_history(tampered(history, board=history.board[2:] + history.board[:2]))
    stacks = list(history.final_stacks)
    stacks[0] += 1
    stacks[1] -= 1
    with pytest.raises(FairnessViolation, match="final stacks"):
        verify_history(tampered(history, final_stacks=stacks))


def test_verify_refuses_what_is_not_a_history() -> None:
    with pytest.raises(MalformedInput):
        verify_history({"hand_id": 3})


def test_verify_command_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = a_history()
    bad = tmp_path / "bad.json"
    bad.write_bytes(msgspec.json.encode(tampered(history, **{"fairness.server_seed": "11" * 32})))
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2")
    assert main(["verify", str(bad)]) == 1
    assert "NOT VERIFIED: commitment mismatch" in capsys.readouterr().out
    assert main(["verify", str(junk)]) == 1
    assert "NOT VERIFIED" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "missing.json")]) == 1


def test_bench_engine_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "engine", "--seconds", "0.05", "--hands", "20"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["hands"] == 20
    assert figures["replay_errors"] == 0
    assert figures["evaluations_7card_per_s"] > 0


def test_cli_refuses_bad_arguments() -> None:
    with pytest.raises(SystemExit):
        main(["play", "--players", "0", "--out", "x"])
    with pytest.raises(SystemExit):
        main(["play", "--out", "x", "--seed", "not-hex"])
    assert main(["play", "--players", "11", "--out", "x"]) == 2
