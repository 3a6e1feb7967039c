"""Events pushed to agencies' systems over signed HTTP (webhooks)."""
