from fastapi import FastAPI, Request

from app.database import SessionLocal

app = FastAPI()


@app.middleware("http")
async def record_visit(request: Request, call_next):
    with SessionLocal() as session:
        session.execute("INSERT INTO visits (path) VALUES (:p)", {"p": request.url.path})
        session.commit()
    return await call_next(request)


@app.get("/")
def home():
    return {"ok": True}
