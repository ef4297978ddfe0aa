"""Message coach: draft linting, reply reading, templates."""
