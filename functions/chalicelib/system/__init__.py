"""Cross-cutting endpoints: the OpenAPI document and a health check."""
