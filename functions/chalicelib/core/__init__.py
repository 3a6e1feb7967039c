"""Shared building blocks: configuration, errors, the route decorator, authorisation, logging."""
