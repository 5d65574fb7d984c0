"""``gestes demo``: a realistic store for trying Gestes out."""
