"""Developer commands: python -m app.dev seed --count 2 (needs Python 3.12)."""

import typer

type UserId = int

cli = typer.Typer()


def first[T](items: list[T]) -> T:
    return items[0]


class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item


def seed_users(count: int) -> list[UserId]:
    ids: list[UserId] = list(range(1, count + 1))
    for user_id in ids:
        print(f"Seeded user {f"{user_id:03d}"} of {count}")
    return ids


@cli.command()
def seed(count: int = 1):
    ids = seed_users(count)
    print(f"First user: {first(ids)}, boxed: {Box(ids[-1]).item}")


@cli.command()
def hello(name: str = "dev"):
    names = ["ada", name]
    print(f"Hello {", ".join(names)}")


if __name__ == "__main__":
    cli()
