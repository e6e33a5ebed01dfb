import argparse

from app.reports import summarize


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarize numbers")
    parser.add_argument("values", nargs="+", type=int)
    args = parser.parse_args()
    result = summarize(args.values)
    print(f"count={result['count']}")


if __name__ == "__main__":
    main()
