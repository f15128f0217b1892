"""Pure functions that turn what sources say into ventanas' vocabulary: no I/O, no database."""
