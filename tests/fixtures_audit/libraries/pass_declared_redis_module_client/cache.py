import redis

client = redis.Redis(host="localhost")
