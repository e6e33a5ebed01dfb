from fastapi import FastAPI

app = FastAPI(title="Service")


@app.get("/health")
def health():
    print("Health check")
    return {"status": "ok"}


from app.services.pricing import discount  # noqa: E402


@app.get("/discount")
def get_discount(total: float, percent: float):
    return {"total": discount(total, percent)}
