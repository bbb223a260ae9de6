"""Pure core of the department import pipeline: read Fachverfahren exports, map, validate, compare.

Nothing here imports Django except ``messages`` (German texts through gettext).
"""
