"""The faces of newsqa (CLI, HTTP API, Gradio UI); importing the library first puts the model hub offline
before gradio imports huggingface_hub."""

import rag  # noqa: F401
