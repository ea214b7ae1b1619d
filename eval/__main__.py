"""`python -m eval ...` runs the end-to-end evaluation, exactly as `newsqa eval ...` does."""

from eval.command import main

main()
