class Trainer:
    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def fit(self) -> float:
        loss = 1.0
        for epoch in range(1, self.epochs + 1):
            loss = loss / 2
            self.report(epoch, loss)
        return loss

    def report(self, epoch: int, loss: float) -> None:
        print(f"epoch {epoch}/{self.epochs} loss={loss:.4f}")
