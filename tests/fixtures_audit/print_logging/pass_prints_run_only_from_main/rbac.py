ROLES = {"admin": ["edit", "view"], "viewer": ["view"]}


def can(role, action):
    return action in ROLES.get(role, [])


def print_role_hierarchy():
    for role, actions in ROLES.items():
        print(f"{role}: {', '.join(actions)}")


if __name__ == "__main__":
    print_role_hierarchy()
