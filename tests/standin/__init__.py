"""A local stand-in for Discord's gateway and REST API, for tests that drive the real bot.

See ``tests/standin/README.md`` for the API and ``docs/testing.md`` for what it models.
"""

from tests.standin.server import (
    Identify,
    Interaction,
    RecordedRequest,
    StandIn,
    StandInViolation,
    Violation,
    shard_for,
)
from tests.standin.spec import default_spec_path
from tests.standin.world import PLAIN_MEMBER, Channel, Guild, Member, Role

__all__ = [
    "PLAIN_MEMBER",
    "Channel",
    "Guild",
    "Identify",
    "Interaction",
    "Member",
    "RecordedRequest",
    "Role",
    "StandIn",
    "StandInViolation",
    "Violation",
    "default_spec_path",
    "shard_for",
]
