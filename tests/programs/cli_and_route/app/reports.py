def summarize(values: list[int]) -> dict:
    total = sum(values)
    print(f"Summarizing {len(values)} values")
    print(f"Total: {total}")
    return {"count": len(values), "total": total}
