"""Model building: candidate groups, a greedy plan, and the CP-SAT set-packing model.

Only :mod:`pairing.solve` calls into here; nothing here reads or writes files.
"""
