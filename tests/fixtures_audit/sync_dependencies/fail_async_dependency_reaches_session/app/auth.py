from sqlalchemy.orm import Session


def find_user(db: Session, token: str):
    # a sync helper: called from an async dependency it runs in the event loop
    return db.query(dict).filter_by(token=token).first()
