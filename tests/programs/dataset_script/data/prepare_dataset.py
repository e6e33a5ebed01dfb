"""Split the sample dataset and print its statistics."""

import random
import statistics

random.seed(7)
samples = [random.randint(1, 100) for _ in range(20)]
train, test = samples[:16], samples[16:]
print(f"Loaded {len(samples)} samples")
print(f"Train: {len(train)}  Test: {len(test)}")
print(f"Mean: {statistics.mean(samples):.2f}  Stdev: {statistics.stdev(samples):.3f}")
for label, part in (("train", train), ("test", test)):
    print(label, min(part), max(part), sep="\t")
