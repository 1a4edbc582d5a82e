"""Writer for test_postgres_restart: appends events through the register's services from a thread
and prints `acked <event id>` only after the transaction committed. Stops when STOP_FILE exists."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import DatabaseError, InterfaceError, connection

    from lvv.registry import services

    # Every app: writing a person also keeps derived rows of other apps (the duplicate check's keys).
    call_command("migrate", verbosity=0)
    person = services.person_create(by=None, source="test", given_names="Test")
    stop = Path(os.environ["STOP_FILE"])
    print("ready", flush=True)

    def write() -> None:
        i = 0
        while not stop.exists():
            i += 1
            try:
                event = services.person_correct(
                    person=person, by=None, changes={"ind_status": f"stap {i}"}, source="test"
                )
            except (DatabaseError, InterfaceError) as exc:
                # Not acknowledged: the caller would see an error and try again.
                print(f"failed {type(exc).__name__}", flush=True)
                connection.close()
                time.sleep(0.05)
                continue
            print(f"acked {event.pk}", flush=True)
        connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    sys.exit(0)


if __name__ == "__main__":
    main()
