from app.commands.formatting import render_row


def start_list(args) -> None:
    print(f"Listing {args.kind}:")
    for name in ("alpha", "beta"):
        print(render_row(name))
