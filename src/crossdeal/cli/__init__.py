"""The command line, a thin layer over the application's operations: ``main`` is the
``crossdeal`` command. ``main.py`` holds the culture, briefing and message commands,
``pipeline.py``, ``edits.py`` and ``server.py`` the pipeline's and the server's,
``common.py`` what they share; ``layout.py`` lays text out once for ``render.py`` (Rich,
on a terminal) and ``plain.py`` (plain lines, when piped); ``docs.py`` writes docs/cli.md.
"""

from crossdeal.cli.main import app, main

__all__ = ["app", "main"]
