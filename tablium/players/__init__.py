"""Players: accounts and authentication, roles, profiles, experience and statistics.

Pure modules: ``profile`` (roles, preferences, field rules), ``levels`` (experience), ``stats``
(statistics from hands and tournaments), ``throttle`` (login throttling bookkeeping) and, apart
from its random token generation, ``tokens``. The shell: ``passwords`` (Argon2 off the event
loop), ``sessions`` and ``counters`` (SQL inside a caller's transaction) and ``service``
(``Players``, what the rest of the server uses).
"""
