"""Publish the built catalogue (build/site) to the site bucket and refresh the CDN."""
