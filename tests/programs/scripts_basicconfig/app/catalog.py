def load_catalog() -> list[dict]:
    print("Reading catalog from memory")
    return [{"sku": "A1", "price": 3}, {"sku": "B2", "price": 5}]
