"""PynamoDB models, one module per aggregate; table names come from configuration."""
