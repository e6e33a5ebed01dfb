def discount(total: float, percent: float) -> float:
    return round(total * (1 - percent / 100), 2)


def test():
    print("discount(100, 15) =", discount(100, 15))
    print("discount(80, 0) =", discount(80, 0))


if __name__ == "__main__":
    test()
