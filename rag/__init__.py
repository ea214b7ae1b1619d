"""newsqa: question answering with verified citations over Chinese newspaper articles.

Everything runs from installed files: the model hub is switched to offline mode here, before any
library imports huggingface_hub (which reads the switch once, on its first import).
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
