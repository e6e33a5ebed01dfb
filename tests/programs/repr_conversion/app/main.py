from fastapi import FastAPI

app = FastAPI()


class Token:
    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Token(****{self.value[-2:]})"


@app.get("/login/{user}")
def login(user: str):
    token = Token("secret42")
    print(f"Login for {user!r} with {token!r}")
    print(f"Scopes: {['read', 'write']!r}")
    return {"user": user}
