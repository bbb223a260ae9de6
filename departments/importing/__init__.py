"""Pure core of the department import pipeline: read Fachverfahren exports, map, validate, compare.

Nothing here imports Django except ``messages`` and ``messages_areas`` (German texts, gettext).
"""
