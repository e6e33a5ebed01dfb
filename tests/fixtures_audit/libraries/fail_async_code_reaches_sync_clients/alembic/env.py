import psycopg2

connection = psycopg2.connect("dbname=app")
