from decimal import Decimal

from fastapi import FastAPI

app = FastAPI()

PRICES = {"tea": Decimal("2.675"), "yacht": Decimal("12345678901234567.89")}


@app.get("/price/{item}")
def price(item: str):
    amount = PRICES[item]
    print(f"Price of {item}: {amount:.2f}")
    print(f"Price with tax: {amount * Decimal('1.1'):.2f}")
    count = 2**53 + 1
    print(f"Units in stock: {count:d}")
    return {"price": str(amount)}


@app.get("/total")
def total():
    grand = sum(PRICES.values())
    print(f"Grand total: {grand:.2f}")
    return {"total": str(grand)}
