"""Pure tests of the instruments package (no app, no database)."""
