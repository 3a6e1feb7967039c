"""Agencies as API callers: what an agency system may see about its own integration."""
