"""Pure domain services: no Discord, no SQL."""
