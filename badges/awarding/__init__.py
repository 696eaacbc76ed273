"""Awarding at scale: a whole class from a spreadsheet, micro-certificates that stack, and new
expiries for the awards of an achievement."""
