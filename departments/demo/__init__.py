"""Synthetic demo data for the demo city Flensburg (pure Python, no Django).

The public API lives in :mod:`departments.demo.generator`.
"""
