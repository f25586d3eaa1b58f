"""Layer 1, the project: where it is, its files, settings and git facts. Imports nothing above."""
