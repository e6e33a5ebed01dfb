from sqlalchemy.orm import Session

from db import Item


class NotFoundError(Exception):
    pass


def get_item(db: Session, item_id: int) -> Item:
    item = db.get(Item, item_id)
    if item is None:
        raise NotFoundError(item_id)
    return item


def get_other(db: Session, item_id: int) -> Item:
    item = db.get(Item, item_id)
    if item is None:
        raise NotFoundError(item_id)
    return item
