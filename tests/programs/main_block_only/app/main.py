from fastapi import FastAPI

app = FastAPI(title="Service")


@app.get("/health")
def health():
    print("Health check")
    return {"status": "ok"}


from app.core.rbac import can  # noqa: E402


@app.get("/can/{role}/{permission}")
def check(role: str, permission: str):
    return {"allowed": can(role, permission)}
