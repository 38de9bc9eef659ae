"""How casekit touches disk: atomic writes, hashed streams, deterministic zips, the build cache."""
