from fastapi import FastAPI, HTTPException

app = FastAPI()


def call_upstream(city: str) -> dict:
    raise TimeoutError(f"upstream timed out for {city}")


@app.get("/weather/{city}")
def weather(city: str):
    try:
        return call_upstream(city)
    except TimeoutError as e:
        print(e)
        print(f"Weather lookup failed for {city}")
        raise HTTPException(status_code=502, detail="upstream unavailable") from e
