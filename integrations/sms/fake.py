"""An in-memory SMS gateway for tests: keeps what it was asked to send."""

from __future__ import annotations

from integrations.sms.errors import SmsUnavailable
from integrations.sms.models import SmsMessage, SmsReceipt


class FakeSmsGateway:
    """Records messages instead of sending them; ``down=True`` makes every send fail."""

    def __init__(self, down: bool = False) -> None:
        self.sent: list[SmsMessage] = []
        self.down = down

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Keep the message, or raise ``SmsUnavailable`` when down."""
        if self.down:
            raise SmsUnavailable("fake gateway is down")
        self.sent.append(message)
        return SmsReceipt(id=f"fake-{len(self.sent)}")
