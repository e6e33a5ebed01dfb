from fastapi import FastAPI

app = FastAPI()

RATES = {"EUR": 1.1}


@app.get("/rate/{currency}")
def rate(currency: str):
    try:
        value = RATES[currency]
    except KeyError as error:
        print(f"Unknown currency {error}, falling back to 1.0")
        value = 1.0
    try:
        int("not a number")
    except ValueError:
        print("Warning: cache key is not numeric. This is expected for new users")
    return {"rate": value}
