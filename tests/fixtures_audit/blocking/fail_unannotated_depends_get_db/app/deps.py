from fastapi import Depends, Header

from app.database import get_db
from app.models import User


async def current_user(token: str = Header(), db=Depends(get_db)):
    user = db.query(User).filter(User.token == token).first()
    db.commit()
    return user
