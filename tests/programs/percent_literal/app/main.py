from fastapi import FastAPI

app = FastAPI()


@app.get("/progress/{done}")
def progress(done: int, total: int = 8):
    share = 100 * done / total
    print(f"Progress: {share:.1f}% of {total} tasks")
    print("Batch is 100% complete" if done == total else "Batch is not 100% complete")
    print("Ratio %d/%d" % (done, total))
    return {"share": share}
