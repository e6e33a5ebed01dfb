import argparse


def main():
    parser = argparse.ArgumentParser()
    parser.parse_args()
    print("seeded")
