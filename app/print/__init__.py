"""The printed directory and the hotline card: PDFs of the portal's search, for notice boards,
outreach workers and people without a phone."""
