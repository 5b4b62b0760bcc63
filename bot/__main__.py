"""``python -m bot`` is the same as the ``factdesk`` command."""

from bot.cli import main

raise SystemExit(main())
