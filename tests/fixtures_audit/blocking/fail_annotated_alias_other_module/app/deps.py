from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.database import get_db

SessionDep = Annotated[Session, Depends(get_db)]
DbDep = Annotated[object, Depends(get_db)]
