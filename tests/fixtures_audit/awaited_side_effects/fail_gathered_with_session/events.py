async def notify_team(item_id: int) -> None:
    """Posts to the team channel."""


async def record_audit(session, item_id: int) -> None:
    """Writes an audit row with the request's session."""
