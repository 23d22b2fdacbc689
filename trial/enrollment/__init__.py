"""The site coordinator's journey: screening, eligibility, consent, baseline and randomization."""
