"""Scrapy settings for hospital-news: one place, one comment a line.

Override any of them per run with ``hospital-news crawl -s NAME=VALUE`` (as ``scrapy crawl -s`` does).
"""

BOT_NAME = "hospital-news"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# Identify ourselves with a way to reach us: hospital webmasters should know who archives them and why.
USER_AGENT = "hospital-news/0.1 (+https://github.com/hospital-news/hospital-news; archive of public hospital news)"
# Politeness: obey robots.txt, one or two requests at a time per site, a delay that adapts to the server.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across all sites of one run
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Outputs of one callback handled at once: Scrapy starts that many asyncio tasks per response; ours are sync.
CONCURRENT_ITEMS = 8
# ... which Scrapy 2.19 lets slip when DOWNLOAD_DELAY is 0: this downloader keeps it (see its docstring).
DOWNLOADER = "scraper.downloader.PoliteDownloader"
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
# Faults: give up on a slow page after 30 s, retry transient errors (5xx, timeouts) three times.
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
# ... waiting before each retry: 1 s, then 2 s, 4 s ... at most 60 s (or what Retry-After asks, up to that).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
# Huge pages: warn at 5 MB, refuse at 20 MB (no hospital article is that big; a gzip bomb is).
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
# Redirect loops end after 10 hops, or at once when a redirect goes back to a URL of its own chain.
REDIRECT_MAX_TIMES = 10
# Pagination and calendar traps: no crawl goes deeper than this many links from a category page ...
DEPTH_LIMIT = 250
# ... and a listing stops paging after this many pages in a row that show no article not seen before.
HOSPITAL_NEWS_BARREN_PAGES = 3

# Article extraction runs in a helper process, on the other core (False: in the crawl's own process).
HOSPITAL_NEWS_EXTRACT_IN_HELPER = True
# ... and so does writing WARC records (False: the crawl's own process writes them).
HOSPITAL_NEWS_WARC_IN_HELPER = True
# Fetched pages waiting to be parsed or extracted: past this many bytes, fetching pauses. Scrapy's 5 MB let
# ~650 pages queue up for the helper, whose waiting coroutines made garbage collection a sixth of the crawl.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 500_000

# Items go to the SQLite archive named by HOSPITAL_NEWS_DB, in batched transactions.
ITEM_PIPELINES = {
    "scraper.pipelines.ValidatePipeline": 100,
    "scraper.pipelines.ArchivePipeline": 800,
}
HOSPITAL_NEWS_DB = "archive.db"
# False on Scrapyd nodes without the archive: items go only to FEEDS, then `hospital-news ingest` merges them.
HOSPITAL_NEWS_ARCHIVE_WRITE = True
HOSPITAL_NEWS_BATCH_SIZE = 50
HOSPITAL_NEWS_TRIGGER = "manual"
# Raw capture: every response (listings, articles, images, errors) goes to WARC files, next to the downloader.
DOWNLOADER_MIDDLEWARES = {
    "scraper.warc.WarcCaptureMiddleware": 950,
    # A redirect back into its own chain is refused and reported, before Scrapy's RedirectMiddleware (600).
    "scraper.middlewares.RedirectLoopMiddleware": 610,
    # Retries (Scrapy's RetryMiddleware, 550) wait RETRY_BACKOFF_BASE, doubling each time.
    "scraper.middlewares.RetryBackoffMiddleware": 560,
}
# Capture on by default: the archive keeps the pages themselves, not only what the extractors made of them.
HOSPITAL_NEWS_WARC_ENABLED = True
# Folder of the .warc.gz files; empty means "<db stem>-warc/" beside HOSPITAL_NEWS_DB.
HOSPITAL_NEWS_WARC_DIR = ""
# Start a new WARC file when the current one would pass this size (bytes); 1 GB is the usual WARC ceiling.
HOSPITAL_NEWS_WARC_MAX_SIZE = 100 * 1024 * 1024
# Incremental re-crawls (opt-in): conditional requests; a listing stops paging at a page of archived articles.
HOSPITAL_NEWS_INCREMENTAL = False
# ... but walk everything again (a full pass) when the last full pass is older than this many days.
HOSPITAL_NEWS_FULL_PASS_DAYS = 7
# Health: a share of articles missing title/body/date above this is a warning; so are HTTP errors above theirs.
HOSPITAL_NEWS_HEALTH_MISSING_SHARE = 0.2
HOSPITAL_NEWS_HEALTH_HTTP_ERROR_SHARE = 0.5
# Who hears of a warning/failed run: a shell command (summary on stdin and in $HOSPITAL_NEWS_SUMMARY) ...
HOSPITAL_NEWS_NOTIFY_COMMAND = ""
# ... and/or a webhook URL that gets a JSON POST {"text": summary, "site": ..., "status": ..., "run": ...}.
HOSPITAL_NEWS_NOTIFY_URL = ""
# Progress lines (one per site every few seconds) for long crawls; off when run under plain `scrapy crawl`.
EXTENSIONS = {"scraper.progress.Progress": 500, "scraper.gc_tuning.GarbageCollectorTuning": 0}
HOSPITAL_NEWS_PROGRESS = False
HOSPITAL_NEWS_PROGRESS_INTERVAL = 2.0
# Python's garbage collector runs after this many net new objects (default 700), over objects made since start-up
# only (scraper/gc_tuning.py); 0 leaves Python's defaults.
HOSPITAL_NEWS_GC_GEN0_THRESHOLD = 50_000

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
