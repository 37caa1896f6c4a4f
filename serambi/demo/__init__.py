"""The demo library: a city library with branches, a van, accounts and a real catalogue.

``serambi demo`` loads it (and serves it); ``make demo`` runs that on a new machine.
"""
