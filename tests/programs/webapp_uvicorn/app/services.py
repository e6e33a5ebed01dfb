"""Service checks run by the lifespan."""


def check_redis() -> bool:
    return True


def check_postgres() -> None:
    raise ConnectionError("connection refused by db:5432")
