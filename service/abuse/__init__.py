"""Abuse controls: rate limits, form tokens and the honeypot, and the pipeline checks using them."""
