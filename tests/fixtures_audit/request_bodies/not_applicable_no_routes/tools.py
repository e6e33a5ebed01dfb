import json
from typing import Any


def load(payload: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(payload))
