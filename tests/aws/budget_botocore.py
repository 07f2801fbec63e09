#!/usr/bin/env python3
"""botocore's adaptive retry mode (botocore/retries/adaptive.py, bucket.py,
throttling.py) driven by a scripted sequence of answers on a fake clock, for
tests/aws/test_budget.c: each stdin line is "<seconds> <0|1 throttled>"; each output
line is the token bucket's rate (max_rate) after that answer. The limiter is made at
the first answer's time, as aws_budget makes an operation's entry at its first answer."""
import sys

from botocore.retries import adaptive, bucket, throttling


class FakeClock:
    def __init__(self, t):
        self.t = t

    def current_time(self):
        return self.t

    def sleep(self, amount):
        self.t += amount


class Detector:
    def is_throttling_error(self, **kwargs):
        return kwargs["throttled"]


def main():
    events = [(float(a), b == "1") for a, b in (line.split() for line in sys.stdin if line.strip())]
    clock = FakeClock(events[0][0])
    limiter = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time()),
        rate_clocker=adaptive.RateClocker(clock),
        token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
        throttling_detector=Detector(),
        clock=clock,
    )
    for t, throttled in events:
        clock.t = t
        limiter.on_receiving_response(throttled=throttled)
        print(repr(limiter._token_bucket.max_rate))


if __name__ == "__main__":
    main()
