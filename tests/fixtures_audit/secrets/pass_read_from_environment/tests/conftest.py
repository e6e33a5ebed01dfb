SECRET_KEY = "test-secret"
