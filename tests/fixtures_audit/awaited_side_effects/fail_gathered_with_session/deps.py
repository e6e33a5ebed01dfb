async def get_session():
    yield object()
