"""The team server: a JSON API under /api/v1 over the same operations as the CLI.

``create_app`` builds the FastAPI application; ``crossdeal serve`` runs it with uvicorn.
Every request but the health check is signed in, and reads and writes only the
signed-in user's team.
"""

from crossdeal.server.app import create_app

__all__ = ["create_app"]
