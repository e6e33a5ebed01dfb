import sqlite3

import requests


def get_profile(token: str) -> dict:
    return requests.get("https://auth.example/me", headers={"Authorization": token}, timeout=5).json()


def verify_key(key: str) -> None:
    connection = sqlite3.connect("keys.db")
    connection.execute("select 1 from keys where key = ?", (key,))


def pure(token: str) -> str:
    return token.strip()
