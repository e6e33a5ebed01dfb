from fastapi import FastAPI

from app.jobs import enqueue

app = FastAPI()


@app.on_event("startup")
async def announce():
    print("API ready to enqueue jobs")


@app.post("/jobs")
async def create_job():
    job_id = enqueue("send-welcome-email")
    print(f"Queued job {job_id}")
    return {"id": job_id}


@app.get("/jobs/latest")
async def latest_job():
    print("Looking up the latest job")
    return {"id": 1}
