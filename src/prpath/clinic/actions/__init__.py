"""Every change to a clinic's records, one module per domain. Each ``do_*`` function is one durable
transaction that takes the actor, the time and (where the clinic's rules apply) the protocol, checks
its input (``ProblemsFound`` names each problem by its field, and nothing is saved), and writes its
audit rows in the same transaction. Pages, commands, the demo and the tests all call these; nothing
else writes. Actions do no network I/O.
"""
