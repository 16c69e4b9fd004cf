"""The functional core: the protocol, triage, the recovery plan, the alert policy and the safety suite.

Plain Python and pydantic only: nothing here imports Django, does I/O or reads the clock (the time is
always a parameter). The Django apps beside it are the shell; import-linter keeps it so.
"""
