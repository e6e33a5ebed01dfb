import click

from app.users import create_user


@click.group()
def cli():
    """Admin commands."""


@cli.command()
@click.argument("email")
@click.option("--admin", is_flag=True)
def add_user(email: str, admin: bool):
    user = create_user(email, admin)
    print(f"Created user {user['id']}: {email}")
    if admin:
        print("⚠️ This user is an administrator")


if __name__ == "__main__":
    cli()
