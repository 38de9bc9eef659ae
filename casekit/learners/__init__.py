"""The learner side: a register of learners and what they were given and returned.

It sits beside the course pipeline and uses it, never the other way round:

- ``records``: the typed records every other module passes around;
- ``register``: the only module that touches the database (SQLite file or
  PostgreSQL URL), with the Alembic migrations in ``migrations/``;
- ``roster``: reading the CSV of learners a facility keeps;
- ``credits``: the DLT credit limits of the Rules (p.21, 25-27);
- ``schedule``: the individual study plan, dates computed from the enrolment;
- ``packets``: personal packets (personal pages + the course body rendered once
  per edition), answer sheets and the group issue list;
- ``commands``: the ``casekit learners``, ``enrol`` and ``packets`` commands.
"""

REGISTER_ENV = "CASEKIT_REGISTER"  # where the register is, unless --register says
