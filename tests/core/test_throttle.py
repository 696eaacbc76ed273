"""A limit per client on something costly, counted in the shared cache."""

from django.test import RequestFactory

from core import throttle


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_a_client_over_the_limit_waits_until_the_window_turns(monkeypatch):
    clock = [1_000_040.0]  # 20 s into a minute of the clock
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    mine = request_from("198.51.100.1")
    waits = [throttle.seconds_to_wait(mine, "upload", limit=3, seconds=60) for _ in range(4)]
    assert waits[:3] == [0, 0, 0] and 40 <= waits[3] <= 41
    assert throttle.seconds_to_wait(request_from("198.51.100.2"), "upload", limit=3, seconds=60) == 0
    assert throttle.seconds_to_wait(mine, "another-action", limit=3, seconds=60) == 0
    clock[0] += 41  # the next minute
    assert throttle.seconds_to_wait(mine, "upload", limit=3, seconds=60) == 0


def test_behind_a_trusted_proxy_each_person_is_counted_apart(settings):
    from django.core.cache import cache

    cache.clear()
    settings.TRUSTED_PROXIES = ["10.0.0.2"]

    def through_proxy(address):
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)

    assert throttle.seconds_to_wait(through_proxy("198.51.100.1"), "upload", limit=1, seconds=60) == 0
    assert throttle.seconds_to_wait(through_proxy("198.51.100.1"), "upload", limit=1, seconds=60) > 0
    assert throttle.seconds_to_wait(through_proxy("198.51.100.2"), "upload", limit=1, seconds=60) == 0
