from fastapi import FastAPI

app = FastAPI(title="internal", openapi_url="")
