type Headers = dict[str, str]

SECRET_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def pick[T](values: list[T]) -> T:
    return values[0]


def load(raw: dict) -> str:
    try:
        return f"{raw["database"]["url"]}"
    except KeyError, TypeError:
        return ""
