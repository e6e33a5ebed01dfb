from fastapi import FastAPI

from app.reports import summarize

app = FastAPI()


@app.get("/reports/summary")
def report_summary():
    return summarize([4, 8, 15])
