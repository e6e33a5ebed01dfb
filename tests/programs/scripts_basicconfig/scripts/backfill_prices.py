"""One-off: recompute prices. Run from the project root: python scripts/backfill_prices.py"""

import logging

from app.catalog import load_catalog

logging.basicConfig(level=logging.INFO)


def backfill() -> None:
    for product in load_catalog():
        print(f"{product['sku']}: {product['price']} -> {product['price'] * 2}")
    print("Backfill complete")


if __name__ == "__main__":
    backfill()
