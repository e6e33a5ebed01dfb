from slack_bolt.async_app import AsyncApp

app = AsyncApp(token="xoxb-from-env", signing_secret="from-env")


@app.options("external_action")
async def show_options(ack, body: dict):
    await ack(options=[{"text": {"type": "plain_text", "text": "One"}, "value": "1"}])


@app.command("/deploy")
async def deploy(ack, command: dict):
    await ack()
