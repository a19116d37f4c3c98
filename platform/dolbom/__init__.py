"""Dolbom (돌봄): community integrated care for Korean municipalities."""
