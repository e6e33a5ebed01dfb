from fastapi import FastAPI

app = FastAPI(title="todo plugin")


@app.get("/.well-known/ai-plugin.json", include_in_schema=False)
async def manifest() -> dict:
    return {
        "schema_version": "v1",
        "name_for_model": "todo",
        "api": {"type": "openapi", "url": "https://todo.example.com/openapi.json"},
    }
