"""The email channel for cases (MISSION NC-1, NC-2, CR-1): parse, recognise loops, thread, ingest."""
