"""Dossiers: online submission, agency status sync, tracking, ratings."""
