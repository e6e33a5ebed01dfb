from .mail import send_email


async def nightly() -> None:
    await send_email("ops@example.com")
