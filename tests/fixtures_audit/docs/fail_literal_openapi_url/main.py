import fastapi

app = fastapi.FastAPI(openapi_url="/api/openapi.json", docs_url=None)
