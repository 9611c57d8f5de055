"""The answer engine: a quote-verified fact base and the matcher over it. Knows no platform."""
