"""Pure tests of the CONSORT flow engine (no app, no database)."""
