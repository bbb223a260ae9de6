"""The city's area structure and classifications, as data (a base service).

Levels, units and their Gebietsstand (models.py), loaded from files (files.py, validation.py:
pure; services.py, `manage.py load_areas`, the admin page), read by tables, maps and the
intake (selectors.py); code lists with versions (classifications.py). No city is named in
code: the demo city's files are in departments/demo/data/.
"""
