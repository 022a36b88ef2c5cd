"""Seed data of the directory (gazetteer, taxonomy, providers, helplines, OSM health) and its
loader."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
