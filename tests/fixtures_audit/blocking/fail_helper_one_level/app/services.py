import urllib.request


def fetch_rates() -> bytes:
    with urllib.request.urlopen("https://rates.example") as response:
        return response.read()


def pure(value: int) -> int:
    return value * 2
