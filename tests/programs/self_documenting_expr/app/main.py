from fastapi import FastAPI

app = FastAPI()


@app.get("/debug/{n}")
def debug(n: int):
    ratio = n / 3
    print(f"{n=}")
    print(f"{ratio=:.3f} {n * 2 = }")
    return {"n": n}
