import argparse

from app.commands import start_list


def main() -> None:
    parser = argparse.ArgumentParser(prog="console")
    sub = parser.add_subparsers(required=True)
    listing = sub.add_parser("list")
    listing.add_argument("kind")
    listing.set_defaults(func=start_list)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
