import argparse

from app.training.trainer import Trainer

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=2)
args = parser.parse_args()
final = Trainer(args.epochs).fit()
print(f"final loss {final}")
