def show_stats() -> None:
    print("Users: 3")
    print("Orders: 12")
