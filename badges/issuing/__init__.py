"""Issuing: the institution's keys and Data Integrity signing, JSON-LD with the shipped contexts,
the Open Badges 3.0 documents and baked images, and the services that issue and revoke awards."""
