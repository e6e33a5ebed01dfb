from fastapi import FastAPI

app = FastAPI()


async def stop():
    pass


app.add_event_handler("shutdown", stop)
