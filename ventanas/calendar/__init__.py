"""iCalendar feeds, the static site (HTML/JSON/CSV) and the publisher (DESIGN §8)."""
