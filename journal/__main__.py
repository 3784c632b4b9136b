"""Entry point: ``journal`` (or ``python -m journal``)."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        from journal.selftest import run

        return run()
    from journal.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
