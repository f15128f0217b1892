"""ventanas: reporting windows of the UN treaty bodies and the migration dialogues, per State."""
