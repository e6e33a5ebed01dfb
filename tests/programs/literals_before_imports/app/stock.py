"""Stock levels."""

"Kept for the docs generator."

import random  # noqa: F401


def count_items() -> int:
    print("Counting stock")
    return 12
