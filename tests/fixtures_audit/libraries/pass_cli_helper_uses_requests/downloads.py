import requests


def fetch() -> bytes:
    return requests.get("https://example.com/data", timeout=5).content
