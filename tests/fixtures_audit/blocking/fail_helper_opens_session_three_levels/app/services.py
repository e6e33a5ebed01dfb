from app import repository


def order_summary(customer: int) -> dict:
    return {"orders": repository.count_orders(customer)}
