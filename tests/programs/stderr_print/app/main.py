import sys

from fastapi import FastAPI

app = FastAPI()


@app.get("/convert")
def convert(amount: float = 10.0, rate: float = 0.0):
    if rate <= 0:
        print(f"Invalid rate {rate}, using 1.0", file=sys.stderr)
        rate = 1.0
    print("Converting", amount, file=sys.stdout)
    return {"result": amount * rate}
