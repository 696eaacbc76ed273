"""Verification: the public page that checks any Open Badges 3.0 credential somebody uploads."""
