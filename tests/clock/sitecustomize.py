"""Moves the clock of processes the test suite starts (Celery workers, `manage.py` servers).

Only on the suite's path when the suite runs at another instant (`MPP_TEST_NOW`, see
docs/testing.md): the root conftest exports the offset from the real clock and puts this folder
first on PYTHONPATH, so every child process ticks in step with the test process."""

import os
import time

_offset = os.environ.get("MPP_TEST_CLOCK_OFFSET")
if _offset:
    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
