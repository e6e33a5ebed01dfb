from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    print("Health check")
    return {"status": "ok"}
