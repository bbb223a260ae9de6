"""The statistics office's records kept in the portal database (people, grants, audit).

Microdata itself lives in the sealed database: see statistics_office/microdata.
"""
