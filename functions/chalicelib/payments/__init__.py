"""Payments: intents, gateway adapters, callbacks, reconciliation, the sandbox gateway, e-receipts."""
