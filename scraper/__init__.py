"""The Scrapy side of hospital-news: site profiles, the one spider, extraction and the archive pipeline."""
