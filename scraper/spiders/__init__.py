"""The one spider (``site``); sites differ only by their profile in ``scraper/sites``."""
