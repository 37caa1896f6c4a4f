"""A worker process of a large MARC import: prepare a share of the batches, send them.

Kept apart from ``batches.py`` because a spawned process imports the module
of its target before anything else, and Django must be set up before the
catalogue's models (which ``batches`` brings in) can be imported.
"""

import gc
import os
import signal
import traceback

from django.utils import translation


def run(
    sender,
    paths: list[str],
    batch_size: int,
    share: int,
    shares: int,
    settings_module: str,
    language: str | None,
) -> None:
    """Send batches ``share``, ``share + shares`` … through ``sender``, then END."""
    # Ctrl-C reaches the whole process group; stopping is the importer's decision.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from .batches import END, FAILURE, message_to_wire, share_of_batches, to_wire

    if language:
        translation.activate(language)
    # Prepared records are trees without cycles: the cyclic collector would
    # only spend time walking them, and Django's start-up objects, again and again.
    gc.freeze()
    gc.disable()
    try:
        for batch in share_of_batches(paths, batch_size, share=share, shares=shares):
            sender.send_bytes(to_wire(batch))
        sender.send_bytes(message_to_wire(END))
    except (BrokenPipeError, ConnectionResetError):
        return  # the importer stopped reading: it has finished or died
    except Exception:
        try:
            sender.send_bytes(message_to_wire(FAILURE, traceback.format_exc()))
        except (BrokenPipeError, ConnectionResetError):
            return
    finally:
        sender.close()
