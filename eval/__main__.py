"""`python -m eval ...` runs the end-to-end evaluation, exactly as `newsqa eval ...` does."""

import sys

from rag.cli import main

sys.argv[1:1] = ["eval"]
main()
