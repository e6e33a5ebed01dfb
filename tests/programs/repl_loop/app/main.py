from fastapi import FastAPI

app = FastAPI(title="Service")


@app.get("/health")
def health():
    print("Health check")
    return {"status": "ok"}


from app.chat.engine import reply  # noqa: E402


@app.post("/chat")
def chat(message: str):
    return {"reply": reply(message)}
