from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()


@app.get("/")
def root(token: str = Depends(oauth2_scheme)):
    open("token.log", "a").write(token)
    return {"token": token}
