"""DMARC aggregate reports (issue 19): the report address, parsing, ingestion, rollups and pages."""
