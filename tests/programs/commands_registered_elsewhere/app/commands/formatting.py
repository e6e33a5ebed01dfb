def render_row(name: str) -> str:
    print(f"(rendering {name})")
    return f"- {name}"
