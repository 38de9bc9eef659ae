"""Alembic environment: the register hands over its open connection, already in
a transaction that holds the write lock, so two casekit processes never migrate
the same register at once."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
