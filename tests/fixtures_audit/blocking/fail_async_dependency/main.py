from typing import Annotated

from fastapi import Depends, FastAPI

from deps import get_connection

app = FastAPI()


@app.get("/items")
async def items(connection: Annotated[object, Depends(get_connection)]):
    return {"connection": str(connection)}
