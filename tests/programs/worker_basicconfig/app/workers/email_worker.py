"""The email worker: its own process, with its own logging setup."""

import logging

from app.jobs import process

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
logger = logging.getLogger("email_worker")


def main() -> None:
    print("Email worker started")
    for name in ("welcome", "reset-password"):
        result = process(name)
        logger.info("done %s", result)
    print("Email worker finished")


if __name__ == "__main__":
    main()
