from redis import asyncio as aioredis

client = aioredis.from_url("redis://localhost")
