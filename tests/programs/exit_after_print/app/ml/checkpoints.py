import sys
from pathlib import Path


def load_checkpoint(path: str) -> bytes:
    if not Path(path).exists():
        print(f"Error: checkpoint not found: {path}")
        sys.exit(1)
    return Path(path).read_bytes()


if __name__ == "__main__":
    print("Loading checkpoint")
    load_checkpoint(sys.argv[1])
