import requests
from celery import Celery

celery = Celery("app")


@celery.task
def notify(url: str) -> None:
    requests.post(url, timeout=5)
