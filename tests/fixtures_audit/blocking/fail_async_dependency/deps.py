import psycopg2


async def get_connection():
    connection = psycopg2.connect("dbname=app")
    try:
        yield connection
    finally:
        connection.close()
