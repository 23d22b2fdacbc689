"""Recruitment monitoring and the CONSORT flow, computed from participant-level records."""
