from app.chat.engine import chat_loop

if __name__ == "__main__":
    chat_loop()
