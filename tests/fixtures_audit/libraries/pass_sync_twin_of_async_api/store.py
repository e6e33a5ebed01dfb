import redis
import redis.asyncio


def read(key: str) -> bytes:
    return redis.Redis().get(key)


async def aread(key: str) -> bytes:
    return await redis.asyncio.Redis().get(key)
