"""Every user-visible string of factdesk, in one place, in English and translated.

The English text here is the source of the gettext catalogues (``bot/locale``, see
docs/i18n.md): each string is marked with ``N_`` (``NP_`` for a singular/plural pair) for
extraction, and reading ``strings.NAME`` gives it in the current language of the task
(:mod:`bot.i18n`: the member's locale in an interaction, the server's language for public
posts). Mappings are translated value by value; a plural is called with its count.

Strings with placeholders are ``str.format`` templates; the names in braces are part of the
contract with the code that fills them, and a translation keeps the same names (a test checks).
Each feature has its own section; engineers append a section for their feature at the end of
this file, marking every string.
"""

from __future__ import annotations

from typing import Any

from bot import i18n
from bot.i18n import N_, NC_, NP_

# --- Fact-check answers (bot engineer) ------------------------------------------------------

# A command name, not a display string: its translations are in COMMAND_NAMES.
FACTCHECK_COMMAND = "factcheck"
FACTCHECK_DESCRIPTION = N_("Look up a careful, sourced fact-check for a question or claim.")
FACTCHECK_QUESTION_DESCRIPTION = N_("The question or claim to check.")
FACTCHECK_PRIVATE_DESCRIPTION = N_("Only you see the answer (default: everyone in the channel).")
MESSAGE_MENU_NAME = N_("Fact-check this message")

VERDICT_LINE = N_("**Verdict:** {verdict}")
CHECKED_ON_FIELD = N_("Checked on")
CHECKED_ON_VALUE = N_("{checked_on}")
CHECKED_ON_UPDATED_VALUE = N_("{checked_on} (updated {updated_on})")
SOURCES_FIELD = N_("Sources")
SOURCES_MORE = N_("…and {count} more: press Sources.")
SUMMARY_CONTINUES = N_("\n\n*The summary continues under Full analysis.*")
DISCLAIMER = N_(
    "factdesk fact-checks can be incomplete or out of date. "
    "Verify important information with the sources."
)
FOLLOW_UPS_FIELD = N_("Want to dive deeper?")
FOLLOW_UP_NOT_CHECKED = N_(" *(not fact-checked yet)*")

BUTTON_SOURCES = N_("Sources")
BUTTON_FULL_ANALYSIS = N_("Full analysis")
BUTTON_PREVIOUS = N_("Previous")
BUTTON_NEXT = N_("Next")
BUTTON_REQUEST = N_("Request a fact-check")
BUTTON_POST = N_("Post in channel")

SOURCES_TITLE = N_("Sources: {question}")
ANALYSIS_SUMMARY_HEADING = N_("Summary")
ANALYSIS_SECTION_TITLE = N_("{number}. {heading}")
ANALYSIS_CONTINUED = N_("{title} (continued)")
PAGE_FOOTER = N_("Page {page} of {pages}")
NO_SOURCES = N_("This fact-check lists no sources.")
NO_ANALYSIS = N_("This fact-check has no further analysis beyond its summary.")

NO_MATCH_TITLE = N_("No fact-check found")
NO_MATCH_DESCRIPTION = N_(
    "factdesk has no fact-check for this question yet:\n> {question}\n\n"
    "You can request one with the button below."
)
NO_MATCH_NEAREST_FIELD = N_("Nearest fact-checks")
NO_MATCH_NEAREST_LINE = N_("{number}. {question} ({similarity}% similar)")

FOLLOW_UP_UNANSWERED_TITLE = N_("Not fact-checked yet")
FOLLOW_UP_UNANSWERED_DESCRIPTION = N_(
    "factdesk has no fact-check for this follow-up question yet:\n> {question}\n\n"
    "You can request one with the button below."
)

REQUEST_RECEIVED = N_("Thanks: your request is noted, and moderators will see it.")
POSTED_IN_CHANNEL = N_("Posted in the channel.")
EMPTY_QUESTION = N_("Please type a question to check.")
MESSAGE_HAS_NO_TEXT = N_("That message has no text to fact-check.")
CLAIM_GONE = N_("This fact-check is no longer in the library (it may have been removed).")
BUTTON_NOT_VALID = N_("This button no longer works. Please ask again with /factcheck.")
FORM_EXPIRED = N_("This form expired. Please press the button again to open a new one.")
REQUEST_ASK_AGAIN = N_(
    "This button is from an older answer and no longer knows the question. "
    "Please ask again with /factcheck, or use /request."
)
REQUEST_IN_SERVER_ONLY = N_(
    "Requests go to a server's moderators, so they can only be made in a server. "
    "Ask the question there, or use /request in a server."
)
POST_NOT_YOURS = N_("Only the member who fact-checked that message can post this answer.")
POST_NEEDS_SEND_MESSAGES = N_(
    "You cannot send messages in this channel, so factdesk will not post there for you."
)
POST_TOO_OFTEN = N_("You are posting answers quickly: please wait {seconds} s before the next one.")
ERROR_MESSAGE = N_(
    "Something went wrong on factdesk's side. "
    "If it keeps happening, tell the server moderators this error id: `{error_id}`"
)

# --- Daily digest (digest engineer) ---------------------------------------------------------

DIGEST_GROUP = "digest"  # a command name (see COMMAND_NAMES)
DIGEST_GROUP_DESCRIPTION = N_("The daily digest of fact-checking in this server.")
DIGEST_SET_DESCRIPTION = N_("Post the daily digest in a channel at a local time.")
DIGEST_SET_CHANNEL = N_("The channel the digest is posted in.")
DIGEST_SET_TIME = N_("Local time of day, 24-hour HH:MM (default 09:00).")
DIGEST_SET_TIMEZONE = N_("IANA timezone such as Europe/Paris (default UTC).")
DIGEST_SET_QUIET = N_("On a day with nothing to report: post a one-line note, or nothing.")
DIGEST_PREVIEW_DESCRIPTION = N_("See privately what the digest would post right now.")
DIGEST_OFF_DESCRIPTION = N_("Stop posting the daily digest.")
DIGEST_SHOW_DESCRIPTION = N_("Show this server's digest settings.")
DIGEST_QUIET_NOTE_CHOICE = N_("Post a one-line note")
DIGEST_QUIET_SKIP_CHOICE = N_("Post nothing")

DIGEST_TITLE = N_("Daily digest · {date}")
DIGEST_TITLE_LATE = N_("Daily digest · {date} (late)")
DIGEST_TITLE_CONTINUED = N_("Daily digest · {date} (continued)")
DIGEST_INTRO = N_("The last 24 hours in this server: {asked} asked.")
DIGEST_QUESTIONS_ASKED = NP_("{count} question", "{count} questions")
DIGEST_LATE_NOTE = N_("This digest is late: factdesk was offline at its usual time.")
DIGEST_FOOTER = N_("factdesk digest for {date}")
DIGEST_TOP_QUESTIONS = N_("Most asked")
DIGEST_TOP_QUESTION_LINE = N_("{rank}. {question} ({count}×)")
DIGEST_UNMATCHED = N_("no fact-check yet")
DIGEST_UNMATCHED_LINE = N_("{rank}. {question} ({count}×, {unmatched})")
DIGEST_FACT_CHECKS = N_("New and updated fact-checks")
DIGEST_FACT_CHECK_NEW = N_("• New: {question} ({on})")
DIGEST_FACT_CHECK_UPDATED = N_("• Updated: {question} ({on})")
DIGEST_MORE = N_("…and {count} more.")
DIGEST_DISPUTES_OPENED = N_("Disputes opened")
DIGEST_DISPUTES_RESOLVED = N_("Disputes resolved")
DIGEST_DISPUTE_LINE = N_("• #{flag_id} {subject}")
DIGEST_DISPUTE_REASON = N_(": “{reason}”")
DIGEST_DISPUTE_RESOLVED_LINE = N_("• #{flag_id} {subject}: {outcome}")
DIGEST_DISPUTE_NO_SUBJECT = N_("(a flagged message)")
DIGEST_OUTCOMES = {"upheld": N_("upheld"), "dismissed": N_("dismissed")}
DIGEST_REQUESTS = N_("Top open requests")
DIGEST_REQUEST_LINE = N_("• {question} ({askers} asking)")
DIGEST_REQUESTS_TOTAL = NP_("{count} request open in all.", "{count} requests open in all.")
DIGEST_QUIET_NOTE = N_("factdesk digest for {date}: a quiet day, nothing to report.")
DIGEST_PREVIEW_NOTHING = N_(
    "Nothing happened in the last 24 hours, and this server's setting is to post nothing on "
    "a quiet day, so no digest would be posted now."
)

DIGEST_SAVED = N_(
    "The daily digest will be posted in <#{channel_id}> at {time} ({timezone}) every day. "
    "Next: {next}."
)
DIGEST_TURNED_OFF = N_("The daily digest is off. `/digest set` turns it back on.")
DIGEST_WAS_OFF = N_("The daily digest was already off.")
DIGEST_NOT_SET = N_("No daily digest is set up here yet. `/digest set` starts one.")
DIGEST_SHOW = N_(
    "**Daily digest:** {state}\n**Channel:** <#{channel_id}>\n**Time:** {time} ({timezone})\n"
    "**Quiet day:** {quiet}\n**Next:** {next}\n**Last posted:** {last}"
)
DIGEST_STATE_ON = N_("on")
DIGEST_STATE_OFF = N_("off")
DIGEST_QUIET_SHOWN = {"note": N_("post a one-line note"), "skip": N_("post nothing")}
DIGEST_NEVER = N_("never")
DIGEST_BAD_TIME = N_(
    "`{value}` is not a time of day. Use the 24-hour clock as HH:MM, for example 09:00 or 18:30."
)
DIGEST_BAD_TIMEZONE = N_(
    "`{value}` is not a timezone factdesk knows. Pick one from the suggestions, written like "
    "Europe/Paris or America/New_York."
)
DIGEST_NEEDS_MANAGE_SERVER = N_("You need the Manage Server permission to change the digest.")
DIGEST_GUILD_ONLY = N_("The digest is set up per server: use this command in a server.")
DIGEST_MODLOG_FAILED = N_(
    "The daily digest for {date} could not be posted in <#{channel_id}>: {reason}. "
    "Check that the channel exists and that factdesk may send messages and embeds there."
)
DIGEST_REASON_MISSING_CHANNEL = N_("the channel no longer exists")
DIGEST_REASON_MISSING_PERMISSION = N_("factdesk lacks permission to post there")
DIGEST_REASON_ERROR = N_("Discord refused the message")

# --- Moderation: flags, review queue, requests, settings, corpus reload (moderation engineer)

MOD_FLAG_BUTTON = N_("Flag as disputed")
MOD_FLAG_MENU_NAME = N_("Flag disputed claim")
MOD_FLAG_MODAL_TITLE = N_("Flag this fact-check as disputed")
MOD_FLAG_REASON_LABEL = N_("What is wrong or missing?")
MOD_FLAG_REASON_PLACEHOLDER = N_("Say what you dispute and, if you can, point to a source.")
MOD_FLAG_RECORDED = N_(
    "Thanks: your flag #{flag_id} is recorded and the moderators will review it. "
    "Nothing is shown publicly unless they uphold it."
)
MOD_FLAG_DUPLICATE = N_(
    "You have already flagged this fact-check here, and the moderators have not reviewed "
    "that flag yet. One open flag per fact-check is enough."
)
MOD_FLAG_COOLDOWN = N_("You are flagging quickly: please wait {seconds} s before the next flag.")
MOD_REASON_TOO_SHORT = N_("Please give a reason of at least {minimum} characters.")
MOD_REASON_TOO_LONG = N_("That reason is {length} characters long; please keep it under {maximum}.")
MOD_NOTE_EMPTY = N_("Please write a note: it is kept in the flag's history.")
MOD_NOTE_TOO_LONG = N_("That note is {length} characters long; please keep it under {maximum}.")
MOD_REFUSED = N_(
    "Sorry, only members with the **{permission}** permission can do that here. "
    "The attempt has been logged."
)
MOD_GUILD_ONLY = N_("This works in a server only.")
# The permission labels of bot/checks.py (Discord's own names for them in each language).
PERMISSION_NAMES = {
    "Manage Messages": N_("Manage Messages"),
    "Manage Server": N_("Manage Server"),
    "owner or Manage Server": N_("owner or Manage Server"),
}
CHANNEL_NOT_TEXT = N_("Please pick a text or announcement channel.")
SETTINGS_CHANNEL_ELSEWHERE = N_("That channel is not in this server. Pick one of this server's.")

MOD_MESSAGE_ALREADY_FLAGGED = N_("You have already flagged this message; that flag is still open.")
MOD_MESSAGE_NO_MATCH = N_(
    "Flag #{flag_id} recorded. No fact-check matches this message yet, so it is queued as "
    "request #{request_id}."
)
MOD_CARD_POSTED = N_("Flag #{flag_id} recorded, and a context card was posted under the message.")
MOD_CARD_FAILED = N_(
    "Flag #{flag_id} recorded, but the context card could not be posted in that channel "
    "(check factdesk's permissions there)."
)
MOD_CARD_TITLE = N_("Context: {question}")
MOD_CARD_OPEN = N_("Read the full fact-check")
MOD_DISPUTED_NOTICE = N_("Disputed in this server")
MOD_DISPUTED_NOTICE_VALUE = N_("This server's moderators dispute this fact-check: {note}")

MOD_FLAGS_DESCRIPTION = N_("Review disputed-claim flags (moderators).")
MOD_FLAGS_LIST_DESCRIPTION = N_("List flags by status (default: open).")
MOD_FLAGS_SHOW_DESCRIPTION = N_("Show one flag in full.")
MOD_FLAGS_RESOLVE_DESCRIPTION = N_("Uphold or dismiss an open flag, with a note.")
MOD_FLAGS_HISTORY_DESCRIPTION = N_("Show everything that happened to a flag.")
MOD_FLAGS_CLEAR_DESCRIPTION = N_("Remove the 'Disputed in this server' notice from a fact-check.")
MOD_FLAGS_DISPUTES_DESCRIPTION = N_("List the fact-checks disputed in this server.")
MOD_STATUS_OPTION = N_("Which flags to list.")
MOD_FLAG_ID_OPTION = N_("The flag number (#).")
MOD_OUTCOME_OPTION = N_("Upheld: the notice shows on answers. Dismissed: nothing changes.")
MOD_NOTE_OPTION = N_("Why (kept in the history; an upheld note is shown on answers).")
MOD_CLAIM_OPTION = N_("The fact-check id.")

MOD_STATUS = {
    "open": N_("open"),
    "upheld": N_("upheld"),
    "dismissed": N_("dismissed"),
    "answered": N_("answered"),
    "closed": N_("closed"),
}
MOD_ACTIONS = {
    "upheld": NC_("moderator action", "upheld"),
    "dismissed": NC_("moderator action", "dismissed"),
    "disputed": NC_("moderator action", "marked disputed"),
    "cleared": NC_("moderator action", "cleared the dispute"),
    "closed": NC_("moderator action", "closed"),
    "answered": NC_("moderator action", "answered by a corpus reload"),
    "refused": NC_("moderator action", "was refused"),
    "set_modlog": NC_("moderator action", "set the mod-log channel"),
    "set_threshold": NC_("moderator action", "set the match threshold"),
    "set_language": NC_("moderator action", "set the server's language"),
    "watch_added": NC_("moderator action", "watched a channel"),
    "watch_removed": NC_("moderator action", "stopped watching a channel"),
}
MOD_NONE = N_("(none)")
MOD_FLAG_NO_CLAIM = N_("(a message no fact-check matched)")
MOD_FLAG_TITLE = N_("Flag #{flag_id}")
MOD_FIELD_STATUS = N_("Status")
MOD_FIELD_BY = N_("Flagged by")
MOD_FIELD_WHEN = N_("When")
MOD_FIELD_REASON = N_("Reason")
MOD_FIELD_MESSAGE_TEXT = N_("Message")
MOD_FIELD_LINK = N_("Link")
MOD_FIELD_RESOLVED = N_("Resolved")
MOD_FIELD_ASKERS = N_("Asking")
MOD_FIELD_ANSWERED_BY = N_("Answered by")
MOD_FIELD_NOTE = N_("Note")
MOD_RESOLVED_VALUE = N_("by {moderator}, {when}: {note}")
MOD_FLAG_LINE = N_("**#{flag_id}** {status} · {subject} · {member} · {when}\n> {reason}")
MOD_FLAGS_LIST_TITLE = N_("Flags: {status}")
MOD_LIST_EMPTY = N_("Nothing here.")
MOD_LIST_FOOTER = N_("Showing {shown} of {total}")
MOD_HISTORY_TITLE = N_("History of flag #{flag_id}")
MOD_HISTORY_CREATED = N_("{when}: flagged by {member}")
MOD_HISTORY_LINE = N_("{when}: {member} {action}{note}")
MOD_DISPUTES_TITLE = NC_("list title", "Disputed in this server")
MOD_DISPUTE_LINE = N_("`{claim_id}` · since {when} · {member}: {note}")
MOD_NO_FLAG = N_("There is no flag #{flag_id} in this server.")
MOD_NO_OPEN_FLAG = N_(
    "There is no open flag #{flag_id} in this server (it may be resolved already)."
)
MOD_UPHELD = N_(
    "Flag #{flag_id} upheld: answers for `{claim_id}` in this server now carry the "
    "'Disputed in this server' notice with your note."
)
MOD_UPHELD_NO_CLAIM = N_("Flag #{flag_id} upheld.")
MOD_DISMISSED = N_("Flag #{flag_id} dismissed. The member is not notified publicly.")
MOD_CLEARED = N_("The dispute notice on `{claim_id}` is cleared.")
MOD_NOT_DISPUTED = N_("`{claim_id}` is not disputed in this server.")
MOD_BUTTON_UPHOLD = N_("Uphold")
MOD_BUTTON_DISMISS = N_("Dismiss")
MOD_BUTTON_CLOSE = N_("Close")
MOD_NOTE_TITLE_UPHOLD = N_("Uphold flag #{id}")
MOD_NOTE_TITLE_DISMISS = N_("Dismiss flag #{id}")
MOD_NOTE_TITLE_CLOSE = N_("Close request #{id}")
MOD_NOTE_LABEL = N_("Note")

MOD_REQUEST_TITLE = N_("Request #{request_id}")
MOD_REQUEST_LINE = N_("**#{request_id}** {status} · {askers} asking · {question}")
MOD_REQUEST_CLOSED = N_("Request #{request_id} closed.")
MOD_NO_OPEN_REQUEST = N_("There is no open request #{request_id} in this server.")
REQ_COMMAND_DESCRIPTION = N_(
    "Ask the fact-checkers to cover a question factdesk cannot answer yet."
)
REQ_QUESTION_OPTION = N_("The question you would like fact-checked.")
REQ_RECORDED = N_("Thanks: request #{request_id} is noted, and the moderators will see it.")
REQ_MERGED = N_(
    "Thanks: a similar question was already requested (#{request_id}); "
    "you are added to it ({askers} asking)."
)
REQ_ALREADY_ASKED = N_("You already asked this (request #{request_id}, {askers} asking).")
REQ_ALREADY_ANSWERED = N_("factdesk already has a fact-check for this: **{question}**")
REQ_EMPTY = N_("Please type the question you would like fact-checked.")
REQ_TOO_LONG = N_("That question is {length} characters long; please keep it under {maximum}.")
REQUESTS_DESCRIPTION = N_("Fact-check requests from members (moderators).")
REQUESTS_LIST_DESCRIPTION = N_("List requests by status (default: open), most asked first.")
REQUESTS_CLOSE_DESCRIPTION = N_("Close an open request with a note.")
REQUESTS_STATUS_OPTION = N_("Which requests to list.")
REQUEST_ID_OPTION = N_("The request number (#).")
REQUESTS_LIST_TITLE = N_("Requests: {status}")

SETTINGS_DESCRIPTION = N_("factdesk's settings for this server.")
SETTINGS_MODLOG_DESCRIPTION = N_("Where new flags and requests are posted (leave empty to stop).")
SETTINGS_MODLOG_CHANNEL_OPTION = N_("The moderators' channel.")
SETTINGS_SHOW_DESCRIPTION = N_("Show factdesk's settings for this server.")
SETTINGS_MODLOG_SET = N_("New flags and requests will be posted in <#{channel_id}>.")
SETTINGS_MODLOG_OFF = N_("The mod-log is off: flags and requests are only in /flags and /requests.")
SETTINGS_THRESHOLD_DESCRIPTION = N_(
    "How sure factdesk must be before it answers here (leave empty for the default)."
)
SETTINGS_THRESHOLD_OPTION = N_(
    "A confidence from {low} to {high}: higher answers less often and is wrong less often."
)
SETTINGS_THRESHOLD_SET = N_(
    "factdesk now answers here only when it is at least {threshold:.0%} confident that a "
    "fact-check matches (the default is {default:.0%}). Below that it says no fact-check "
    "matches and shows the nearest."
)
SETTINGS_THRESHOLD_DEFAULT = N_(
    "This server uses the default match threshold again ({default:.0%} confidence)."
)
SETTINGS_THRESHOLD_SHOWN = N_("{threshold:.0%} ({origin})")
SETTINGS_THRESHOLD_OWN = N_("this server's own")
SETTINGS_THRESHOLD_IS_DEFAULT = N_("the default")
SETTINGS_SHOW = N_(
    "**Mod-log channel:** {modlog}\n**Match threshold:** {threshold}\n"
    "**Moderators:** members with Manage Messages\n"
    "**Flag cooldown:** {cooldown} s per member\n**Fact-checks served:** {claims}\n"
    "**Open flags:** {flags} · **Open requests:** {requests} · **Disputed:** {disputes}\n"
    "**Last changed:** {changed}"
)
SETTINGS_NOT_SET = N_("not set")
SETTINGS_NEVER = N_("never")
CORPUS_DESCRIPTION = N_("The library of fact-checks factdesk serves.")
CORPUS_RELOAD_DESCRIPTION = N_("Reload the fact-checks from disk (bot owners or Manage Server).")
CORPUS_RELOADED = N_(
    "Corpus reloaded: {count} fact-checks (was {previous}). "
    "{answered} open requests are now answered and closed."
)
CORPUS_NOT_RELOADED = N_(
    "The corpus was NOT reloaded: {count} problems. factdesk keeps serving the previous "
    "{previous} fact-checks. Fix these and reload again:\n{problems}"
)
CORPUS_RELOAD_REFUSED = N_(
    "Sorry, only factdesk's owners or members with the **Manage Server** permission can "
    "reload the corpus. The attempt has been logged."
)
CORPUS_RELOAD_WARNINGS = N_("\n{count} warnings (the entries still load):\n{problems}")
CORPUS_MORE_PROBLEMS = N_("…and {count} more (see the bot's log).")
CORPUS_ANSWERED_MODLOG = N_(
    "Request #{request_id} is answered by `{claim_id}` after a corpus reload."
)

# --- watch mode (cogs/watch.py) -------------------------------------------------------------
WATCH_DESCRIPTION = N_("Let factdesk answer matching rumours in chosen channels.")
WATCH_ADD_DESCRIPTION = N_("Watch a channel: a message that matches a fact-check gets a card.")
WATCH_REMOVE_DESCRIPTION = N_("Stop watching a channel.")
WATCH_LIST_DESCRIPTION = N_("List the watched channels of this server.")
WATCH_CHANNEL_OPTION = N_("The channel to watch.")
WATCH_MODE_OPTION = N_("reply: a card under the message; modlog: a note to the moderators.")
WATCH_MODE_REPLY = N_("reply under the message")
WATCH_MODE_MODLOG = N_("note in the mod-log")
WATCH_UNAVAILABLE = N_(
    "Watch mode is unavailable: this bot does not receive message text. Its operator must "
    "switch on the **Message Content** intent in the Discord Developer Portal and set "
    "`FACTDESK_MESSAGE_CONTENT=true` (docs/discord-setup.md)."
)
WATCH_ADDED = N_(
    "Watching <#{channel_id}> ({mode}). A message there that matches a fact-check with at "
    "least {threshold:.0%} confidence gets a card, at most once per fact-check every "
    "{cooldown_hours} hours and {cap} cards an hour."
)
WATCH_ADDED_NO_MODLOG = N_(
    "\nNo mod-log channel is set yet: notes have nowhere to go until `/settings modlog`."
)
WATCH_REMOVED = N_("No longer watching <#{channel_id}>.")
WATCH_NOT_WATCHED = N_("<#{channel_id}> is not watched.")
WATCH_LIST_EMPTY = N_("No channel is watched in this server. `/watch add` starts.")
WATCH_LIST_LINE = N_("- <#{channel_id}>: {mode} (since {since})")
WATCH_LIST_UNAVAILABLE = N_(
    "\n(Watch mode is unavailable right now: no message text reaches this bot.)"
)
WATCH_MODLOG_NOTE = N_(
    "**Watch:** a message in <#{channel_id}> matches **{question}** "
    "({confidence:.0%} confident): {link}"
)

# --- Helpfulness votes, /stats claims, telling requesters (issue 17) ------------------------

VOTE_HELPFUL_BUTTON = N_("Helpful")
VOTE_NOT_HELPFUL_BUTTON = N_("Not helpful")
VOTE_WHY_BUTTON = N_("Tell us why")
VOTE_IN_SERVER_ONLY = N_("Votes are counted per server: use the buttons on an answer in a server.")
VOTE_TALLY = N_("In this server: {helpful} found it helpful, {not_helpful} did not.")
VOTE_HELPFUL_RECORDED = N_("Thanks: your vote is recorded (helpful). {tally}")
VOTE_HELPFUL_CHANGED = N_("Your vote is changed to helpful. {tally}")
VOTE_HELPFUL_SAME = N_("You already found this helpful; your vote stands. {tally}")
VOTE_NOT_HELPFUL_RECORDED = N_(
    "Thanks: your vote is recorded (not helpful). {tally}\n"
    "You can tell the fact-checkers why (optional), or flag the fact-check as disputed if "
    "you think it is wrong."
)
VOTE_NOT_HELPFUL_CHANGED = N_(
    "Your vote is changed to not helpful. {tally}\n"
    "You can tell the fact-checkers why (optional), or flag the fact-check as disputed if "
    "you think it is wrong."
)
VOTE_REASON_TITLE = N_("Why was this not helpful?")
VOTE_REASON_LABEL = N_("What was missing or unclear? (optional)")
VOTE_REASON_PLACEHOLDER = N_("For example: it does not answer my question, or a source is dead.")
VOTE_REASON_SAVED = N_("Thanks: your reason is kept with your vote.")
VOTE_REASON_EMPTY = N_("Nothing to add: your vote stands without a reason.")
VOTE_REASON_NO_VOTE = N_(
    'Your vote on this fact-check is no longer "not helpful", so the reason was not kept.'
)

STATS_DESCRIPTION = N_("Statistics of this server (moderators).")
STATS_CLAIMS_DESCRIPTION = N_("Most asked and least helpful fact-checks in this server.")
STATS_CLAIMS_TITLE = N_("Fact-checks in this server")
STATS_MOST_ASKED = N_("Most asked")
STATS_MOST_ASKED_LINE = N_("{rank}. {question} ({count}×)")
STATS_LEAST_HELPFUL = N_("Least helpful")
STATS_LEAST_HELPFUL_LINE = N_(
    "{rank}. {question}: {helpful} of {total} found it helpful ({percent}%)"
)
STATS_NOTHING = N_("Nothing yet.")
STATS_FOOTER = N_(
    "Least helpful ranks by a Bayesian average: each fact-check's share is pulled towards "
    "the server's by {weight} votes, so one vote does not outrank forty."
)
STATS_GONE = N_("{claim_id} (no longer in the library)")
FLAG_HELPFUL_FIELD = N_("Helpful votes here")
FLAG_HELPFUL_VALUE = N_("{helpful} of {total} found it helpful ({percent}%)")
FLAG_HELPFUL_NONE = N_("no votes yet")
DIGEST_LEAST_HELPFUL = N_("Least helpful this period")
DIGEST_LEAST_HELPFUL_LINE = N_("• {question}: {helpful} of {total} helpful")

NOTIFY_CHANNEL_CONTENT = N_("{mention} the fact-check you asked for is ready.")
NOTIFY_DM_CONTENT = N_("The fact-check you asked for in **{server}** is ready.")
NOTIFY_ASKED = N_("You asked:\n> {question}")
NOTIFY_OPEN_BUTTON = N_("Read the fact-check")
NOTIFY_FOOTER = N_("factdesk · request #{request_id}")
REQ_NOTIFY_OPTION = N_("Tell me when a fact-check answers it (default: yes).")
REQ_NO_NOTIFY_NOTE = N_(" You will not be notified.")
SETTINGS_NOTIFY_DESCRIPTION = N_("How members are told their requested fact-check exists.")
SETTINGS_NOTIFY_MODE_OPTION = N_("In the channel where they asked, by DM, or not at all.")
SETTINGS_NOTIFY_CHOICES = {
    "channel": N_("Reply in the channel where they asked"),
    "dm": N_("Direct message"),
    "off": N_("Do not notify"),
}
SETTINGS_NOTIFY_SET = {
    "channel": (
        N_(
            "Members who request a fact-check will be told in the channel where they asked "
            "(only they are pinged)."
        )
    ),
    "dm": N_("Members who request a fact-check will be told by direct message."),
    "off": N_("Members will not be told when their requested fact-check exists."),
}
FOLLOW_UP_NO_BUTTON = N_(" *(no room for a button: ask it with /factcheck)*")
FOLLOW_UPS_MORE = N_("…and {count} more follow-up questions.")
CHECKED_ON_CORRECTED_VALUE = N_("{checked_on} · Updated on {updated_on}")
DIGEST_CORRECTIONS = N_("Updated fact-checks")
DIGEST_CORRECTION_VERDICT = N_("• {question}: verdict {old} → {new}")
DIGEST_CORRECTION_SUMMARY = N_("• {question}: the summary was revised")
DIGEST_NO_VERDICT = N_("none")


# --- Languages (issue 16: /settings language, translated fact-checks) -----------------------
LANGUAGE_NAMES = {"en": N_("English"), "es": N_("Spanish")}
SETTINGS_LANGUAGE_DESCRIPTION = N_("The language of factdesk's public answers and digests here.")
SETTINGS_LANGUAGE_OPTION = N_("English, Spanish, or auto: the server's preferred language.")
SETTINGS_LANGUAGE_CHOICES = {
    "en": N_("English"),
    "es": N_("Spanish"),
    "auto": N_("Auto: the server's preferred language"),
}
SETTINGS_LANGUAGE_SET = N_("factdesk's public answers and digests here are now in {language}.")
SETTINGS_LANGUAGE_AUTO = N_(
    "factdesk's public answers and digests here follow the server's preferred language "
    "(now {language})."
)
SETTINGS_LANGUAGE_SHOWN_AUTO = N_("{language} (auto: the server's preferred language)")
SETTINGS_LANGUAGE_LINE = N_("**Language:** {language}")
TRANSLATION_MISSING = N_(
    "This fact-check is not available in {language} yet: it is shown in {original}."
)

# --- Live ClaimReview feeds (cogs/feeds.py, bot/discord_ui/feeds.py) -------------------------
FEEDS_DESCRIPTION = N_("Live ClaimReview feeds that add fact-checks to the corpus.")
FEEDS_ADD_DESCRIPTION = N_("Add a ClaimReview feed (JSON-LD over http or https).")
FEEDS_REMOVE_DESCRIPTION = N_("Remove a feed added with /feeds add; its fact-checks leave.")
FEEDS_LIST_DESCRIPTION = N_("List the feeds: last fetch, status, entries, next try.")
FEEDS_URL_OPTION = N_("The feed's URL (http:// or https://).")
FEEDS_OWNER_ONLY = N_(
    "Only the bot's owner may change its feeds (they serve every server). The operator can"
    " let server managers do it with FACTDESK_FEEDS_MANAGERS=true."
)
# The label a refusal records in the audit log (strings.english: the log stays English).
FEEDS_NEEDED = N_("bot owner")
FEEDS_REFUSED_URL = N_("That URL cannot be a feed: {reason}.")
# Why bot.core.feeds.check_feed_url refuses a URL, by its (English, logged) reason; a reason
# missing here is shown as it is (tests/unit/test_feeds_render.py checks every one is here).
FEEDS_URL_REASONS = {
    "a feed URL may be at most 2000 characters": N_("a feed URL may be at most 2000 characters"),
    "a URL has no spaces or control characters": N_("a URL has no spaces or control characters"),
    "not a valid URL": N_("not a valid URL"),
    "only http:// and https:// URLs can be feeds": N_(
        "only http:// and https:// URLs can be feeds"
    ),
    "the URL has no host": N_("the URL has no host"),
    "a feed URL may not carry a user name or password": N_(
        "a feed URL may not carry a user name or password"
    ),
    "feeds on this machine (localhost) are not allowed": N_(
        "feeds on this machine (localhost) are not allowed"
    ),
    "feeds on private, loopback or link-local addresses are not allowed": N_(
        "feeds on private, loopback or link-local addresses are not allowed"
    ),
}
FEEDS_ADDED = N_(
    "Added the feed {url}. It is fetched within a minute and then every {minutes} minutes;"
    " `/feeds list` shows how it went. Problems go to the mod-log of this server."
)
FEEDS_ALREADY = N_("{url} is already a feed.")
FEEDS_TOO_MANY = N_("There are already {count} feeds, the most factdesk keeps.")
FEEDS_REMOVED = N_("Removed the feed {url}; its fact-checks are no longer served.")
FEEDS_REMOVED_NOT_RELOADED = N_(
    "Removed the feed {url}. Its fact-checks stay until the corpus reloads cleanly"
    " (the corpus files have problems: see `/corpus reload`)."
)
FEEDS_NOT_FOUND = N_("{url} is not a feed.")
FEEDS_CONFIGURED = N_("{url} is set in FACTDESK_FEEDS: remove it there (the operator's setting).")
FEEDS_LIST_TITLE = N_("Feeds")
FEEDS_LIST_EMPTY = N_("No feed. `/feeds add` adds one; the operator can set FACTDESK_FEEDS.")
FEEDS_LIST_FOOTER = N_("{shown} of {total} shown")
FEEDS_FROM_SETTING = N_("from FACTDESK_FEEDS")
FEEDS_ADDED_BY = N_("added by <@{user_id}>")
FEEDS_NEVER = N_("never")
FEEDS_NOW = N_("due now")
FEEDS_STATUS = {
    None: N_("not fetched yet"),
    "ok": N_("OK"),
    "not_modified": N_("OK (unchanged)"),
    "failed": N_("failing"),
}
FEEDS_ENTRIES = NP_("{count} fact-check", "{count} fact-checks")
FEEDS_LINE = N_(
    "**{number}.** {url} ({origin})\n{status}: last fetch {last}, {entries}, next try {next}"
)
FEEDS_LINE_FAILURES = N_(" ({failures} in a row)")
FEEDS_LINE_ERROR = N_("\nLast problem: {error}")
FEEDS_PROBLEM_NOTE = N_("**Feed problem** in {url}:\n{problems}")
FEEDS_PROBLEM_MORE = N_("- ... and {count} more (the bot's log has every one)")

# --- Command, group and option names (bot/discord_ui/translator.py) -------------------------
# Every name a slash command, group or option has, marked with the names' context: their
# translations follow Discord's name rules (lower case, no spaces, at most 32 characters,
# unique among siblings; tests/unit/test_i18n.py checks). Context-menu names are display
# strings (MESSAGE_MENU_NAME, MOD_FLAG_MENU_NAME).
COMMAND_NAMES = (
    NC_("command name", "add"),
    NC_("command name", "channel"),
    NC_("command name", "claim"),
    NC_("command name", "claims"),
    NC_("command name", "clear"),
    NC_("command name", "close"),
    NC_("command name", "corpus"),
    NC_("command name", "digest"),
    NC_("command name", "disputes"),
    NC_("command name", "factcheck"),
    NC_("command name", "feeds"),
    NC_("command name", "flags"),
    NC_("command name", "history"),
    NC_("command name", "id"),
    NC_("command name", "language"),
    NC_("command name", "list"),
    NC_("command name", "mode"),
    NC_("command name", "modlog"),
    NC_("command name", "note"),
    NC_("command name", "notify"),
    NC_("command name", "off"),
    NC_("command name", "outcome"),
    NC_("command name", "preview"),
    NC_("command name", "private"),
    NC_("command name", "question"),
    NC_("command name", "quiet_day"),
    NC_("command name", "reload"),
    NC_("command name", "remove"),
    NC_("command name", "request"),
    NC_("command name", "requests"),
    NC_("command name", "resolve"),
    NC_("command name", "set"),
    NC_("command name", "settings"),
    NC_("command name", "show"),
    NC_("command name", "stats"),
    NC_("command name", "status"),
    NC_("command name", "threshold"),
    NC_("command name", "time"),
    NC_("command name", "timezone"),
    NC_("command name", "url"),
    NC_("command name", "watch"),
)

# --- the lookup ---------------------------------------------------------------------------
# The English texts move into _ENGLISH, so that every ``strings.NAME`` goes through
# __getattr__ and comes out in the current language.
_ENGLISH: dict[str, Any] = {
    name: value
    for name, value in globals().items()
    if name.isupper() and isinstance(value, str | dict | tuple | i18n.Plural)
}
for _name in _ENGLISH:
    del globals()[_name]


def english(name: str) -> Any:
    """The English source of ``strings.NAME`` (for the catalogue tests and extraction)."""
    return _ENGLISH[name]


def names() -> list[str]:
    """Every message name, in file order."""
    return list(_ENGLISH)


def __getattr__(name: str) -> Any:
    try:
        value = _ENGLISH[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return i18n.current().localise(value)
