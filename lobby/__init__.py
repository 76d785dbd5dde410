"""The lobby: live listings of tables and tournaments, projected from game events."""
