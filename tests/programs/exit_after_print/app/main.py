from fastapi import FastAPI

app = FastAPI(title="Service")


@app.get("/health")
def health():
    print("Health check")
    return {"status": "ok"}


from app.ml.checkpoints import load_checkpoint  # noqa: E402, F401
