"""Stepwise, sectoral introduction of BI: checklists, rollout stages, staff involvement."""
