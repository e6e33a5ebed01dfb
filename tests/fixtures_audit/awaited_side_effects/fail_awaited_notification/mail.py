async def send_email(address: str) -> None:
    """Talks to the mail server."""
