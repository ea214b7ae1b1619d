"""The HTTP API: FastAPI routers per feature (ask and search, OpenAI-compatible chat, documents, page
images, health) over one `Service`, with the browser UI mounted at `/` (`ui.api.app.create_app`)."""
