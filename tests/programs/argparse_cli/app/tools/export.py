import argparse
import sys


def export(table: str, limit: int) -> int:
    print(f"Exporting {limit} rows from {table}")
    for row in range(limit):
        print(f"{table},{row}")
    print("Export finished", file=sys.stderr)
    return limit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="export")
    parser.add_argument("table")
    parser.add_argument("--limit", type=int, default=2)
    args = parser.parse_args(argv)
    export(args.table, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
