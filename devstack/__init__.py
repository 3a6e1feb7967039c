"""The embedded local stack behind `make run`: moto on loopback, the API, the built site, saved state."""
