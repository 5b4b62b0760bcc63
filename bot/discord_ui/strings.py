"""Every user-visible string of factdesk, in one place, ready for translation.

Strings with placeholders are ``str.format`` templates; the names in braces are part of the
contract with the code that fills them. Each feature has its own section; engineers append a
section for their feature at the end of this file.
"""

from __future__ import annotations

# --- Fact-check answers (bot engineer) ------------------------------------------------------

FACTCHECK_COMMAND = "factcheck"
FACTCHECK_DESCRIPTION = "Look up a careful, sourced fact-check for a question or claim."
FACTCHECK_QUESTION_DESCRIPTION = "The question or claim to check."
FACTCHECK_PRIVATE_DESCRIPTION = "Only you see the answer (default: everyone in the channel)."
MESSAGE_MENU_NAME = "Fact-check this message"

VERDICT_LINE = "**Verdict:** {verdict}"
CHECKED_ON_FIELD = "Checked on"
CHECKED_ON_VALUE = "{checked_on}"
CHECKED_ON_UPDATED_VALUE = "{checked_on} (updated {updated_on})"
SOURCES_FIELD = "Sources"
SOURCES_MORE = "…and {count} more: press Sources."
SUMMARY_CONTINUES = "\n\n*The summary continues under Full analysis.*"
DISCLAIMER = (
    "factdesk fact-checks can be incomplete or out of date. "
    "Verify important information with the sources."
)
FOLLOW_UPS_FIELD = "Want to dive deeper?"

BUTTON_SOURCES = "Sources"
BUTTON_FULL_ANALYSIS = "Full analysis"
BUTTON_PREVIOUS = "Previous"
BUTTON_NEXT = "Next"
BUTTON_REQUEST = "Request a fact-check"
BUTTON_POST = "Post in channel"

SOURCES_TITLE = "Sources: {question}"
ANALYSIS_SUMMARY_HEADING = "Summary"
ANALYSIS_SECTION_TITLE = "{number}. {heading}"
ANALYSIS_CONTINUED = "{title} (continued)"
PAGE_FOOTER = "Page {page} of {pages}"
NO_SOURCES = "This fact-check lists no sources."
NO_ANALYSIS = "This fact-check has no further analysis beyond its summary."

NO_MATCH_TITLE = "No fact-check found"
NO_MATCH_DESCRIPTION = (
    "factdesk has no fact-check for this question yet:\n> {question}\n\n"
    "You can request one with the button below."
)
NO_MATCH_NEAREST_FIELD = "Nearest fact-checks"
NO_MATCH_NEAREST_LINE = "{number}. {question} ({similarity}% similar)"

FOLLOW_UP_UNANSWERED_TITLE = "Not fact-checked yet"
FOLLOW_UP_UNANSWERED_DESCRIPTION = (
    "factdesk has no fact-check for this follow-up question yet:\n> {question}\n\n"
    "You can request one with the button below."
)

REQUEST_RECEIVED = "Thanks: your request is noted, and moderators will see it."
POSTED_IN_CHANNEL = "Posted in the channel."
EMPTY_QUESTION = "Please type a question to check."
MESSAGE_HAS_NO_TEXT = "That message has no text to fact-check."
CLAIM_GONE = "This fact-check is no longer in the library (it may have been removed)."
ERROR_MESSAGE = (
    "Something went wrong on factdesk's side. "
    "If it keeps happening, tell the server moderators this error id: `{error_id}`"
)
