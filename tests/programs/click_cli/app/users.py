def create_user(email: str, admin: bool) -> dict:
    print(f"Inserting {email} (admin={admin})")
    return {"id": 7, "email": email}
