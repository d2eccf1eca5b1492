"""Ways in for scrapers: Python client, file/stdin reader, HTTP endpoint, Scrapy pipeline."""
