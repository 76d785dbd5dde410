"""The tables' Prometheus metrics, in the registry the composition root gives (never the global
one, so two servers in one process, or two tests, never clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class TableMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.actions = Counter(
            "tablium_table_actions",  # exposed as tablium_table_actions_total
            "Poker actions applied at tables, by who took them (player, timeout, leaving).",
            ["source"],
            registry=registry,
        )
        self.command_seconds = Histogram(
            "tablium_table_command_seconds",
            "From a command entering the mailbox to its events and answer being sent.",
            ["command"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )
        self.hands = Counter("tablium_table_hands", "Hands played to the end.", registry=registry)
        self.mailbox = Gauge(
            "tablium_table_mailbox_depth",
            "Commands waiting per table.",
            ["table"],
            registry=registry,
        )
        self.tables = Gauge("tablium_tables", "Tables running.", registry=registry)
