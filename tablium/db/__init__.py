"""Persistence: the SQL schema, the engine factory and the Alembic migrations.

One SQLAlchemy Core schema serves PostgreSQL (asyncpg) and the embedded SQLite (aiosqlite).
"""
