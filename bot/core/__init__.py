"""The pure core: corpus models and loading, importers, matching, digest building.

Nothing under ``bot.core`` may import discord (a test enforces it); the cogs call in here
and render what comes back.
"""
