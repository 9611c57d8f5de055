"""Offline fakes of the platforms' APIs, served on loopback for adapter tests."""
