import sys


def reply(message: str) -> str:
    return message.strip()[::-1] or "..."


def chat_loop() -> None:
    print("Chat started. Type 'quit' to leave.")
    while True:
        line = sys.stdin.readline()
        if not line or line.strip() == "quit":
            print("Bye!")
            break
        print(f"bot> {reply(line)}")
