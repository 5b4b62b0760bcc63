"""factdesk: a Discord bot that answers with careful, sourced fact-checks."""

__version__ = "0.1.0"
