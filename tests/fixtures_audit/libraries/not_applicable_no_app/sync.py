import requests

requests.get("https://example.com", timeout=5)
