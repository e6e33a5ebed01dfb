from fastapi import FastAPI

app = FastAPI(title="Service")


@app.get("/health")
def health():
    print("Health check")
    return {"status": "ok"}
