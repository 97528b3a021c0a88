"""Importing a recommendation log: read → find the table → rows → match → plan → write."""
