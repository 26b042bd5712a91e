"""Offline mirrors of two Vietnamese hospital websites, rendered from data/*.json.

See README.md for the URLs and markup, SPEC.md for the content files.
"""

from .server import MirrorServer, serve_mirrors
from .sites import SITES, load_articles

__all__ = ["SITES", "MirrorServer", "load_articles", "serve_mirrors"]
