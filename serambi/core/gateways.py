"""How WhatsApp and SMS notices leave Serambi: message gateways.

``settings.SERAMBI_MESSAGE_GATEWAY`` (environment variable of the same name)
is the dotted path of a :class:`MessageGateway` subclass; the
``deliver_notification`` task calls its :meth:`~MessageGateway.send` once per
message. Two gateways ship with Serambi and neither leaves the machine:

* :class:`LogGateway` (the default) writes each message to the
  ``serambi.notices`` logger, as Django's console e-mail backend does for
  e-mail;
* :class:`FileGateway` appends each message as one JSON line to
  ``SERAMBI_MESSAGE_FILE`` (default ``var/messages.jsonl``), handy for the
  demo and for tests.

Plugging in a real provider (WhatsApp Business Platform, an SMS aggregator)
---------------------------------------------------------------------------
Write a small subclass in your own module, for example
``perpustakaan_kota/gateways.py``, and point the setting at it::

    import requests
    from django.conf import settings

    from serambi.core.gateways import GatewayError, MessageGateway


    class ProviderGateway(MessageGateway):
        def send(self, *, to: str, text: str, channel: str) -> None:
            try:
                response = requests.post(
                    settings.PROVIDER_URL,  # read from the environment
                    headers={"Authorization": f"Bearer {settings.PROVIDER_TOKEN}"},
                    json={"to": to, "text": text, "channel": channel},
                    timeout=10,
                )
                response.raise_for_status()
            except requests.RequestException as error:
                raise GatewayError(str(error)) from error

and run Serambi with
``SERAMBI_MESSAGE_GATEWAY=perpustakaan_kota.gateways.ProviderGateway``.

The rules a gateway follows:

* ``to`` is in international form (``+62812…``); ``channel`` is
  ``"whatsapp"`` or ``"sms"``, so one gateway may serve both or refuse one.
* Return on success; raise :class:`GatewayError` (with a short reason, no
  secrets) when the provider refused or could not be reached. The task then
  records the reason and retries with a back-off (1, 5, 30, 120 minutes), and
  marks the notice failed after five attempts.
* Always set a timeout on network calls: the worker waits for ``send``.
* WhatsApp Business only lets a business start a conversation with an
  approved message template; map Serambi's notice kinds to your templates in
  the gateway if your provider requires it.
* Keep credentials in the environment, never in the code or the database.
"""

import json
import logging
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("serambi.notices")


class GatewayError(Exception):
    """The message could not be handed to the provider; it may be retried."""


class MessageGateway(ABC):
    """Sends one text message to one phone number; a provider's gateway subclasses it."""

    @abstractmethod
    def send(self, *, to: str, text: str, channel: str) -> None:
        """Hand the message over, or raise :class:`GatewayError`."""


class LogGateway(MessageGateway):
    """Writes messages to the ``serambi.notices`` log instead of sending them."""

    def send(self, *, to: str, text: str, channel: str) -> None:
        # WARNING, so it shows with the default log level: a library running
        # on this gateway is not sending anything yet.
        logger.warning("%s message to %s (logged, not sent):\n%s", channel, to, text)


class FileGateway(MessageGateway):
    """Appends each message as a JSON line to ``settings.SERAMBI_MESSAGE_FILE``."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.SERAMBI_MESSAGE_FILE)

    def send(self, *, to: str, text: str, channel: str) -> None:
        line = json.dumps(
            {"at": timezone.now().isoformat(), "channel": channel, "to": to, "text": text},
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as messages:
                messages.write(line + "\n")
        except OSError as error:
            raise GatewayError(str(error)) from error
        logger.info("%s message to %s written to %s.", channel, to, self.path)


def get_gateway() -> MessageGateway:
    """The gateway named by ``settings.SERAMBI_MESSAGE_GATEWAY``."""
    gateway_class = import_string(settings.SERAMBI_MESSAGE_GATEWAY)
    return gateway_class()
