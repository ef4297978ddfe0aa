"""Who may use the team server: users, roles, passwords and API tokens."""
