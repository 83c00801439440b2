"""One reader per format: bytes in, raw page texts out (normalisation happens after)."""
