from fastapi import FastAPI

app = FastAPI()


@app.get("/sync")
def sync(items: int = 0):
    print("DEBUG: sync called with", {"items": items})
    if items == 0:
        print("WARNING: nothing to sync")
        print("Error: sync source is empty")
    print("⚠️ Sync is deprecated, use /v2/sync")
    return {"synced": items}
