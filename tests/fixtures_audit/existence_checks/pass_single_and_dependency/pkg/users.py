async def get_user(name: str) -> str | None:
    return name or None
