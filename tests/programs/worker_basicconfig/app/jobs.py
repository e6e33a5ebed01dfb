QUEUE: list[str] = []


def enqueue(name: str) -> int:
    QUEUE.append(name)
    return len(QUEUE)


def process(name: str) -> str:
    print(f"Processing {name}")
    return name.upper()
