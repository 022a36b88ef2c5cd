"""Lookup by SMS: questions in a text message, replies that fit a phone."""
