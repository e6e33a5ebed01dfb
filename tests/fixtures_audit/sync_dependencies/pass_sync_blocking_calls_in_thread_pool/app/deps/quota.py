import subprocess


class Quota:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self) -> int:
        return int(subprocess.check_output(["quota", str(self.limit)]))
