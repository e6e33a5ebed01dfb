import traceback

from fastapi import FastAPI

app = FastAPI()


def parse_payload(raw: str) -> dict:
    return {"value": int(raw)}


@app.get("/parse/{raw}")
def parse(raw: str):
    try:
        return parse_payload(raw)
    except ValueError:
        print("Could not parse payload:")
        print(traceback.format_exc())
        return {"value": None}
