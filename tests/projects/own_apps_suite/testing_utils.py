"""A helper only the tests import: left alone like the tests themselves."""

from fastapi import FastAPI


def build_client(app: FastAPI):
    from fastapi.testclient import TestClient

    print("building a client for", app.title)
    return TestClient(app)
