import boto3

s3 = boto3.client("s3")


async def store_avatar(user_id: int, data: bytes) -> str:
    key = f"avatars/{user_id}.png"
    s3.put_object(Bucket="avatars", Key=key, Body=data)
    return key
