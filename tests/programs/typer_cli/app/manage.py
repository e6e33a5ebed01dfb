import typer

from app.seeding import seed_rows

app = typer.Typer()


@app.command()
def seed(count: int = 3):
    """Insert demo rows."""
    rows = seed_rows(count)
    print(f"Seeded {len(rows)} rows")


@app.command()
def reset():
    print("Database reset")


if __name__ == "__main__":
    app()
