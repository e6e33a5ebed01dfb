import click
import uvicorn


@click.group()
def cli() -> None:
    pass


@cli.command()
@click.option("--port", default=8000)
def develop(port: int) -> None:
    uvicorn.run("main:app", port=port, reload=True)


@cli.command("serve-dev")
def start() -> None:
    uvicorn.run("main:app", reload=True)
