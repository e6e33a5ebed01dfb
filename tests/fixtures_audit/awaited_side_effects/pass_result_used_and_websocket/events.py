async def publish_dataset(dataset_id: int) -> dict:
    return {"id": dataset_id}


async def send_email(address: str) -> bool:
    return True
