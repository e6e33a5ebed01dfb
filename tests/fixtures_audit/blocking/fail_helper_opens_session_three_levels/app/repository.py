from app.db import open_session


def count_orders(customer: int) -> int:
    session = open_session()
    try:
        return session.execute("SELECT count(*) FROM orders").scalar()
    finally:
        session.close()
