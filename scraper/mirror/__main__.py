"""``python -m scraper.mirror [SITE ...] [--host H] [--port N] [-v]``: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading

from .server import MirrorServer, is_loopback
from .sites import SITES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.mirror", description=__doc__)
    parser.add_argument("sites", nargs="*", metavar="SITE", help=f"one of {', '.join(SITES)} (default: all)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of the first site; the next sites use the following ports (default: free ports)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error("--host must be a loopback address")
    sites = args.sites or list(SITES)
    unknown = [s for s in sites if s not in SITES]
    if unknown:
        parser.error(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(SITES)})")
    servers = []
    try:
        for i, site in enumerate(sites):
            port = args.port + i if args.port else 0
            srv = MirrorServer(site, args.host, port, verbose=args.verbose).start()
            servers.append(srv)
            print(f"{site}: {srv.url}  (real site: {SITES[site]['base_url']})", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    except (FileNotFoundError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        for srv in servers:
            srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
