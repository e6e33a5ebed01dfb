_DEFAULT_TOKEN = "*"
token = r"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"
JWT_SECRET = "JWT_SECRET"
TOKEN_TYPE = "bearer"
