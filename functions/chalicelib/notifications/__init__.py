"""E-mail and SMS notifications: an outbox in DynamoDB and one adapter per provider."""
