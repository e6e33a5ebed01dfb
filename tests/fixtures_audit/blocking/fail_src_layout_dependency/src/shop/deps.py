import time


async def rate_limit() -> None:
    time.sleep(0.1)
