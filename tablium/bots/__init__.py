"""Bots that play over the public protocol only: HTTP to register and fund, WebSocket to play.

``tablium bots`` runs them against any server; ``tablium bench tables`` runs them against a server
in the same process. ``policy`` decides (pure); ``client`` talks.
"""
