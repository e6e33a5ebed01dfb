class User:
    token = None
