import click
import uvicorn


@click.command()
@click.option("--port", default=5000)
@click.option("--reload", is_flag=True, default=False, help="Enable auto-reload for development")
def main(port: int, reload: bool) -> None:
    """The documented way to start the app."""
    config = uvicorn.Config("main:app", port=port, reload=reload)
    server = uvicorn.Server(config=config)
    server.run()
