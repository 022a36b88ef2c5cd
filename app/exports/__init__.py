"""Open-data exports of the public directory: CSV, GeoJSON, HSDS tabular data package."""
