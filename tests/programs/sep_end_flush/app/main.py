from fastapi import FastAPI

app = FastAPI()


@app.get("/path")
def path_of(a: str = "usr", b: str = "local", c: str = "bin"):
    print(a, b, c, sep="/")
    print("segments:", 3, sep=" ", flush=True)
    print("joined", end="\n")
    print("progress: ", end="")
    print("done")
    print("csv", a, b, sep=",", end="\n", flush=True)
    return {"path": "/".join([a, b, c])}
