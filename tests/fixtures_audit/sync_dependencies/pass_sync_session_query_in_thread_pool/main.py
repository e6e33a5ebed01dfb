from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite:///app.db")
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def get_current_user(token: str, db: Session = Depends(get_db)):
    user = db.query(object).filter_by(token=token).first()
    if user is None:
        raise HTTPException(status_code=401)
    return user


@app.get("/me")
def me(user=Depends(get_current_user)):
    return user
