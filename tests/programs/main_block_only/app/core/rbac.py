"""Roles and permissions."""

ROLES = {"admin": ["read", "write", "delete"], "editor": ["read", "write"], "viewer": ["read"]}


def can(role: str, permission: str) -> bool:
    return permission in ROLES.get(role, [])


def print_role_hierarchy() -> None:
    print("Role hierarchy:")
    for role, permissions in ROLES.items():
        print(f"  {role}: {', '.join(permissions)}")


if __name__ == "__main__":
    print_role_hierarchy()
