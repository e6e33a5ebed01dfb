def test_it():
    print("debug")
