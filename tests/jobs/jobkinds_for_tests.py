"""Job kinds that misbehave on purpose, imported by pool workers via PYTHONPATH."""

import os
import time


def sleep(input, out_dir, seconds=0.0):
    time.sleep(float(seconds))
    return {"slept": seconds, "pid": os.getpid()}, []


def crash(input, out_dir):
    os._exit(3)


def boom(input, out_dir):
    raise ZeroDivisionError("bug on purpose")


def chatty(input, out_dir):
    print("a library that prints to stdout" * 100)
    return {"ok": True}, []
