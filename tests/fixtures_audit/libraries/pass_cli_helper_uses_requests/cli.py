import click

from downloads import fetch


@click.command()
def main() -> None:
    fetch()
