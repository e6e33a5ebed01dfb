from sqlalchemy import create_engine, text

from app.config import DATABASE_URL


def main() -> None:
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO roles (name) VALUES ('admin')"))


if __name__ == "__main__":
    main()
