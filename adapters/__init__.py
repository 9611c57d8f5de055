"""Thin translators between chat platforms and the platform-neutral engine in `bot`."""
