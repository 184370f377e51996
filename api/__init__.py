"""The HTTP API (v1): ``api.app.create_app`` builds the FastAPI application."""
