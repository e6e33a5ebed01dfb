import smtplib
from email.message import EmailMessage


async def send_welcome(address: str) -> None:
    message = EmailMessage()
    message["To"] = address
    with smtplib.SMTP("localhost") as server:
        server.send_message(message)


def send_receipt(address: str) -> None:
    # a sync task: BackgroundTasks runs it in the thread pool
    with smtplib.SMTP("localhost") as server:
        server.sendmail("shop@example.com", [address], "receipt")
