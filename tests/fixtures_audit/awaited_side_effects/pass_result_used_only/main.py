from fastapi import FastAPI

app = FastAPI()


async def load_report(report_id: int) -> dict:
    return {"id": report_id}


@app.get("/reports/{report_id}")
async def read_report(report_id: int):
    return await load_report(report_id)


def send_digest() -> None:
    """Called by a scheduler, not by a route."""
