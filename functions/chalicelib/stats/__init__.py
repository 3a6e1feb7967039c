"""Public statistics: counters fed by DynamoDB streams, per-agency service-quality indicators."""
