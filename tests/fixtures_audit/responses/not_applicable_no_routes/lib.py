def to_dict(user):
    return {"id": user.id}
