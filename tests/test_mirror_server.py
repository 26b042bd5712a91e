"""The mirror servers bind any loopback address (one per site, so each gets its own Scrapy slot), nothing else."""

from __future__ import annotations

import urllib.request

import pytest

from scraper.mirror import MirrorServer


def test_a_mirror_serves_on_another_loopback_address():
    with MirrorServer("omon", host="127.0.0.7") as server:
        assert server.url.startswith("http://127.0.0.7:")
        with urllib.request.urlopen(f"{server.url}/Tin-tuc.aspx?CatID=5", timeout=10) as response:
            assert "Ô Môn" in response.read().decode("utf-8")


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "192.168.1.5", "example.org"])
def test_a_mirror_refuses_addresses_off_the_loopback(host):
    with pytest.raises(ValueError, match="loopback only"):
        MirrorServer("omon", host=host)
