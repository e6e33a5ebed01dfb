def seed_rows(count: int) -> list[int]:
    rows = []
    for index in range(count):
        print(f"  row {index} inserted")
        rows.append(index)
    return rows
