"""Alembic migrations of the learner register (run by ``register.open_register``)."""
