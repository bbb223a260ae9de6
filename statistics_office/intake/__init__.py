"""The statistics office's intake: an uploaded file becomes a version of sealed microdata.

The department side (departments/uploads.py) receives the upload and queues its run; here the
run reads, validates, checks plausibility and loads the file in the sealed database (run.py,
pipeline.py), and switches, discards or rolls back versions (versions.py). The pure checks are
in departments/importing; the store in statistics_office/microdata/store.py.
"""
