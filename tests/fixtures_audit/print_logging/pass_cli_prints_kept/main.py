import logging

logging.basicConfig(level=logging.INFO)

from fastapi import FastAPI

app = FastAPI()
