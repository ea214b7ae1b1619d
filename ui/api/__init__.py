"""The HTTP API: FastAPI routers per feature (ask, OpenAI-compatible chat, search, documents, health)
over one `Service`, with the browser UI mounted at `/` (`ui.api.app.create_app`)."""
