"""The international pipeline: accounts, contacts, deals, buying committees and
activities on a real database, CRM import, and the risk signals of each deal.

``signals`` is plain Python; ``db``, ``store`` and ``importer`` talk to the database.
"""
