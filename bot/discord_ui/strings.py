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
FOLLOW_UP_NOT_CHECKED = " *(not fact-checked yet)*"

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
BUTTON_NOT_VALID = "This button no longer works. Please ask again with /factcheck."
FORM_EXPIRED = "This form expired. Please press the button again to open a new one."
REQUEST_ASK_AGAIN = (
    "This button is from an older answer and no longer knows the question. "
    "Please ask again with /factcheck, or use /request."
)
REQUEST_IN_SERVER_ONLY = (
    "Requests go to a server's moderators, so they can only be made in a server. "
    "Ask the question there, or use /request in a server."
)
POST_NOT_YOURS = "Only the member who fact-checked that message can post this answer."
POST_NEEDS_SEND_MESSAGES = (
    "You cannot send messages in this channel, so factdesk will not post there for you."
)
POST_TOO_OFTEN = "You are posting answers quickly: please wait {seconds} s before the next one."
ERROR_MESSAGE = (
    "Something went wrong on factdesk's side. "
    "If it keeps happening, tell the server moderators this error id: `{error_id}`"
)

# --- Daily digest (digest engineer) ---------------------------------------------------------

DIGEST_GROUP = "digest"
DIGEST_GROUP_DESCRIPTION = "The daily digest of fact-checking in this server."
DIGEST_SET_DESCRIPTION = "Post the daily digest in a channel at a local time."
DIGEST_SET_CHANNEL = "The channel the digest is posted in."
DIGEST_SET_TIME = "Local time of day, 24-hour HH:MM (default 09:00)."
DIGEST_SET_TIMEZONE = "IANA timezone such as Europe/Paris (default UTC)."
DIGEST_SET_QUIET = "On a day with nothing to report: post a one-line note, or nothing."
DIGEST_PREVIEW_DESCRIPTION = "See privately what the digest would post right now."
DIGEST_OFF_DESCRIPTION = "Stop posting the daily digest."
DIGEST_SHOW_DESCRIPTION = "Show this server's digest settings."
DIGEST_QUIET_NOTE_CHOICE = "Post a one-line note"
DIGEST_QUIET_SKIP_CHOICE = "Post nothing"

DIGEST_TITLE = "Daily digest · {date}"
DIGEST_TITLE_LATE = "Daily digest · {date} (late)"
DIGEST_TITLE_CONTINUED = "Daily digest · {date} (continued)"
DIGEST_INTRO = "The last 24 hours in this server: {asked} asked."
DIGEST_QUESTIONS_ASKED = "{count} question"
DIGEST_QUESTIONS_ASKED_PLURAL = "{count} questions"
DIGEST_LATE_NOTE = "This digest is late: factdesk was offline at its usual time."
DIGEST_FOOTER = "factdesk digest for {date}"
DIGEST_TOP_QUESTIONS = "Most asked"
DIGEST_TOP_QUESTION_LINE = "{rank}. {question} ({count}×)"
DIGEST_UNMATCHED = "no fact-check yet"
DIGEST_UNMATCHED_LINE = "{rank}. {question} ({count}×, {unmatched})"
DIGEST_FACT_CHECKS = "New and updated fact-checks"
DIGEST_FACT_CHECK_NEW = "• New: {question} ({on})"
DIGEST_FACT_CHECK_UPDATED = "• Updated: {question} ({on})"
DIGEST_MORE = "…and {count} more."
DIGEST_DISPUTES_OPENED = "Disputes opened"
DIGEST_DISPUTES_RESOLVED = "Disputes resolved"
DIGEST_DISPUTE_LINE = "• #{flag_id} {subject}"
DIGEST_DISPUTE_REASON = ": “{reason}”"
DIGEST_DISPUTE_RESOLVED_LINE = "• #{flag_id} {subject}: {outcome}"
DIGEST_DISPUTE_NO_SUBJECT = "(a flagged message)"
DIGEST_OUTCOMES = {"upheld": "upheld", "dismissed": "dismissed"}
DIGEST_REQUESTS = "Top open requests"
DIGEST_REQUEST_LINE = "• {question} ({askers} asking)"
DIGEST_REQUESTS_TOTAL = "{count} requests open in all."
DIGEST_QUIET_NOTE = "factdesk digest for {date}: a quiet day, nothing to report."
DIGEST_PREVIEW_NOTHING = (
    "Nothing happened in the last 24 hours, and this server's setting is to post nothing on "
    "a quiet day, so no digest would be posted now."
)

DIGEST_SAVED = (
    "The daily digest will be posted in <#{channel_id}> at {time} ({timezone}) every day. "
    "Next: {next}."
)
DIGEST_TURNED_OFF = "The daily digest is off. `/digest set` turns it back on."
DIGEST_WAS_OFF = "The daily digest was already off."
DIGEST_NOT_SET = "No daily digest is set up here yet. `/digest set` starts one."
DIGEST_SHOW = (
    "**Daily digest:** {state}\n**Channel:** <#{channel_id}>\n**Time:** {time} ({timezone})\n"
    "**Quiet day:** {quiet}\n**Next:** {next}\n**Last posted:** {last}"
)
DIGEST_STATE_ON = "on"
DIGEST_STATE_OFF = "off"
DIGEST_QUIET_SHOWN = {"note": "post a one-line note", "skip": "post nothing"}
DIGEST_NEVER = "never"
DIGEST_BAD_TIME = (
    "`{value}` is not a time of day. Use the 24-hour clock as HH:MM, for example 09:00 or 18:30."
)
DIGEST_BAD_TIMEZONE = (
    "`{value}` is not a timezone factdesk knows. Pick one from the suggestions, written like "
    "Europe/Paris or America/New_York."
)
DIGEST_NEEDS_MANAGE_SERVER = "You need the Manage Server permission to change the digest."
DIGEST_GUILD_ONLY = "The digest is set up per server: use this command in a server."
DIGEST_MODLOG_FAILED = (
    "The daily digest for {date} could not be posted in <#{channel_id}>: {reason}. "
    "Check that the channel exists and that factdesk may send messages and embeds there."
)
DIGEST_REASON_MISSING_CHANNEL = "the channel no longer exists"
DIGEST_REASON_MISSING_PERMISSION = "factdesk lacks permission to post there"
DIGEST_REASON_ERROR = "Discord refused the message"

# --- Moderation: flags, review queue, requests, settings, corpus reload (moderation engineer)

MOD_FLAG_BUTTON = "Flag as disputed"
MOD_FLAG_MENU_NAME = "Flag disputed claim"
MOD_FLAG_MODAL_TITLE = "Flag this fact-check as disputed"
MOD_FLAG_REASON_LABEL = "What is wrong or missing?"
MOD_FLAG_REASON_PLACEHOLDER = "Say what you dispute and, if you can, point to a source."
MOD_FLAG_RECORDED = (
    "Thanks: your flag #{flag_id} is recorded and the moderators will review it. "
    "Nothing is shown publicly unless they uphold it."
)
MOD_FLAG_DUPLICATE = (
    "You have already flagged this fact-check here, and the moderators have not reviewed "
    "that flag yet. One open flag per fact-check is enough."
)
MOD_FLAG_COOLDOWN = "You are flagging quickly: please wait {seconds} s before the next flag."
MOD_REASON_TOO_SHORT = "Please give a reason of at least {minimum} characters."
MOD_REASON_TOO_LONG = "That reason is {length} characters long; please keep it under {maximum}."
MOD_NOTE_EMPTY = "Please write a note: it is kept in the flag's history."
MOD_NOTE_TOO_LONG = "That note is {length} characters long; please keep it under {maximum}."
MOD_REFUSED = (
    "Sorry, only members with the **{permission}** permission can do that here. "
    "The attempt has been logged."
)
MOD_GUILD_ONLY = "This works in a server only."
CHANNEL_NOT_TEXT = "Please pick a text or announcement channel."
SETTINGS_CHANNEL_ELSEWHERE = "That channel is not in this server. Pick one of this server's."

MOD_MESSAGE_ALREADY_FLAGGED = "You have already flagged this message; that flag is still open."
MOD_MESSAGE_NO_MATCH = (
    "Flag #{flag_id} recorded. No fact-check matches this message yet, so it is queued as "
    "request #{request_id}."
)
MOD_CARD_POSTED = "Flag #{flag_id} recorded, and a context card was posted under the message."
MOD_CARD_FAILED = (
    "Flag #{flag_id} recorded, but the context card could not be posted in that channel "
    "(check factdesk's permissions there)."
)
MOD_CARD_TITLE = "Context: {question}"
MOD_CARD_OPEN = "Read the full fact-check"
MOD_DISPUTED_NOTICE = "Disputed in this server"
MOD_DISPUTED_NOTICE_VALUE = "This server's moderators dispute this fact-check: {note}"

MOD_FLAGS_DESCRIPTION = "Review disputed-claim flags (moderators)."
MOD_FLAGS_LIST_DESCRIPTION = "List flags by status (default: open)."
MOD_FLAGS_SHOW_DESCRIPTION = "Show one flag in full."
MOD_FLAGS_RESOLVE_DESCRIPTION = "Uphold or dismiss an open flag, with a note."
MOD_FLAGS_HISTORY_DESCRIPTION = "Show everything that happened to a flag."
MOD_FLAGS_CLEAR_DESCRIPTION = "Remove the 'Disputed in this server' notice from a fact-check."
MOD_FLAGS_DISPUTES_DESCRIPTION = "List the fact-checks disputed in this server."
MOD_STATUS_OPTION = "Which flags to list."
MOD_FLAG_ID_OPTION = "The flag number (#)."
MOD_OUTCOME_OPTION = "Upheld: the notice shows on answers. Dismissed: nothing changes."
MOD_NOTE_OPTION = "Why (kept in the history; an upheld note is shown on answers)."
MOD_CLAIM_OPTION = "The fact-check id."

MOD_STATUS = {
    "open": "open",
    "upheld": "upheld",
    "dismissed": "dismissed",
    "answered": "answered",
    "closed": "closed",
}
MOD_ACTIONS = {
    "upheld": "upheld",
    "dismissed": "dismissed",
    "disputed": "marked disputed",
    "cleared": "cleared the dispute",
    "closed": "closed",
    "answered": "answered by a corpus reload",
    "refused": "was refused",
    "set_modlog": "set the mod-log channel",
    "set_threshold": "set the match threshold",
    "watch_added": "watched a channel",
    "watch_removed": "stopped watching a channel",
}
MOD_NONE = "(none)"
MOD_FLAG_NO_CLAIM = "(a message no fact-check matched)"
MOD_FLAG_TITLE = "Flag #{flag_id}"
MOD_FIELD_STATUS = "Status"
MOD_FIELD_BY = "Flagged by"
MOD_FIELD_WHEN = "When"
MOD_FIELD_REASON = "Reason"
MOD_FIELD_MESSAGE_TEXT = "Message"
MOD_FIELD_LINK = "Link"
MOD_FIELD_RESOLVED = "Resolved"
MOD_FIELD_ASKERS = "Asking"
MOD_FIELD_ANSWERED_BY = "Answered by"
MOD_FIELD_NOTE = "Note"
MOD_RESOLVED_VALUE = "by {moderator}, {when}: {note}"
MOD_FLAG_LINE = "**#{flag_id}** {status} · {subject} · {member} · {when}\n> {reason}"
MOD_FLAGS_LIST_TITLE = "Flags: {status}"
MOD_LIST_EMPTY = "Nothing here."
MOD_LIST_FOOTER = "Showing {shown} of {total}"
MOD_HISTORY_TITLE = "History of flag #{flag_id}"
MOD_HISTORY_CREATED = "{when}: flagged by {member}"
MOD_HISTORY_LINE = "{when}: {member} {action}{note}"
MOD_DISPUTES_TITLE = "Disputed in this server"
MOD_DISPUTE_LINE = "`{claim_id}` · since {when} · {member}: {note}"
MOD_NO_FLAG = "There is no flag #{flag_id} in this server."
MOD_NO_OPEN_FLAG = "There is no open flag #{flag_id} in this server (it may be resolved already)."
MOD_UPHELD = (
    "Flag #{flag_id} upheld: answers for `{claim_id}` in this server now carry the "
    "'Disputed in this server' notice with your note."
)
MOD_UPHELD_NO_CLAIM = "Flag #{flag_id} upheld."
MOD_DISMISSED = "Flag #{flag_id} dismissed. The member is not notified publicly."
MOD_CLEARED = "The dispute notice on `{claim_id}` is cleared."
MOD_NOT_DISPUTED = "`{claim_id}` is not disputed in this server."
MOD_BUTTON_UPHOLD = "Uphold"
MOD_BUTTON_DISMISS = "Dismiss"
MOD_BUTTON_CLOSE = "Close"
MOD_NOTE_TITLE_UPHOLD = "Uphold flag #{id}"
MOD_NOTE_TITLE_DISMISS = "Dismiss flag #{id}"
MOD_NOTE_TITLE_CLOSE = "Close request #{id}"
MOD_NOTE_LABEL = "Note"

MOD_REQUEST_TITLE = "Request #{request_id}"
MOD_REQUEST_LINE = "**#{request_id}** {status} · {askers} asking · {question}"
MOD_REQUEST_CLOSED = "Request #{request_id} closed."
MOD_NO_OPEN_REQUEST = "There is no open request #{request_id} in this server."
REQ_COMMAND_DESCRIPTION = "Ask the fact-checkers to cover a question factdesk cannot answer yet."
REQ_QUESTION_OPTION = "The question you would like fact-checked."
REQ_RECORDED = "Thanks: request #{request_id} is noted, and the moderators will see it."
REQ_MERGED = (
    "Thanks: a similar question was already requested (#{request_id}); "
    "you are added to it ({askers} asking)."
)
REQ_ALREADY_ASKED = "You already asked this (request #{request_id}, {askers} asking)."
REQ_ALREADY_ANSWERED = "factdesk already has a fact-check for this: **{question}**"
REQ_EMPTY = "Please type the question you would like fact-checked."
REQ_TOO_LONG = "That question is {length} characters long; please keep it under {maximum}."
REQUESTS_DESCRIPTION = "Fact-check requests from members (moderators)."
REQUESTS_LIST_DESCRIPTION = "List requests by status (default: open), most asked first."
REQUESTS_CLOSE_DESCRIPTION = "Close an open request with a note."
REQUESTS_STATUS_OPTION = "Which requests to list."
REQUEST_ID_OPTION = "The request number (#)."
REQUESTS_LIST_TITLE = "Requests: {status}"

SETTINGS_DESCRIPTION = "factdesk's settings for this server."
SETTINGS_MODLOG_DESCRIPTION = "Where new flags and requests are posted (leave empty to stop)."
SETTINGS_MODLOG_CHANNEL_OPTION = "The moderators' channel."
SETTINGS_SHOW_DESCRIPTION = "Show factdesk's settings for this server."
SETTINGS_MODLOG_SET = "New flags and requests will be posted in <#{channel_id}>."
SETTINGS_MODLOG_OFF = "The mod-log is off: flags and requests are only in /flags and /requests."
SETTINGS_THRESHOLD_DESCRIPTION = (
    "How sure factdesk must be before it answers here (leave empty for the default)."
)
SETTINGS_THRESHOLD_OPTION = (
    "A confidence from {low} to {high}: higher answers less often and is wrong less often."
)
SETTINGS_THRESHOLD_SET = (
    "factdesk now answers here only when it is at least {threshold:.0%} confident that a "
    "fact-check matches (the default is {default:.0%}). Below that it says no fact-check "
    "matches and shows the nearest."
)
SETTINGS_THRESHOLD_DEFAULT = (
    "This server uses the default match threshold again ({default:.0%} confidence)."
)
SETTINGS_THRESHOLD_SHOWN = "{threshold:.0%} ({origin})"
SETTINGS_THRESHOLD_OWN = "this server's own"
SETTINGS_THRESHOLD_IS_DEFAULT = "the default"
SETTINGS_SHOW = (
    "**Mod-log channel:** {modlog}\n**Match threshold:** {threshold}\n"
    "**Moderators:** members with Manage Messages\n"
    "**Flag cooldown:** {cooldown} s per member\n**Fact-checks served:** {claims}\n"
    "**Open flags:** {flags} · **Open requests:** {requests} · **Disputed:** {disputes}\n"
    "**Last changed:** {changed}"
)
SETTINGS_NOT_SET = "not set"
SETTINGS_NEVER = "never"
CORPUS_DESCRIPTION = "The library of fact-checks factdesk serves."
CORPUS_RELOAD_DESCRIPTION = "Reload the fact-checks from disk (bot owners or Manage Server)."
CORPUS_RELOADED = (
    "Corpus reloaded: {count} fact-checks (was {previous}). "
    "{answered} open requests are now answered and closed."
)
CORPUS_NOT_RELOADED = (
    "The corpus was NOT reloaded: {count} problems. factdesk keeps serving the previous "
    "{previous} fact-checks. Fix these and reload again:\n{problems}"
)
CORPUS_RELOAD_REFUSED = (
    "Sorry, only factdesk's owners or members with the **Manage Server** permission can "
    "reload the corpus. The attempt has been logged."
)
CORPUS_RELOAD_WARNINGS = "\n{count} warnings (the entries still load):\n{problems}"
CORPUS_MORE_PROBLEMS = "…and {count} more (see the bot's log)."
CORPUS_ANSWERED_MODLOG = "Request #{request_id} is answered by `{claim_id}` after a corpus reload."

# --- watch mode (cogs/watch.py) -------------------------------------------------------------
WATCH_DESCRIPTION = "Let factdesk answer matching rumours in chosen channels."
WATCH_ADD_DESCRIPTION = "Watch a channel: a message that matches a fact-check gets a card."
WATCH_REMOVE_DESCRIPTION = "Stop watching a channel."
WATCH_LIST_DESCRIPTION = "List the watched channels of this server."
WATCH_CHANNEL_OPTION = "The channel to watch."
WATCH_MODE_OPTION = "reply: a card under the message; modlog: a note to the moderators."
WATCH_MODE_REPLY = "reply under the message"
WATCH_MODE_MODLOG = "note in the mod-log"
WATCH_UNAVAILABLE = (
    "Watch mode is unavailable: this bot does not receive message text. Its operator must "
    "switch on the **Message Content** intent in the Discord Developer Portal and set "
    "`FACTDESK_MESSAGE_CONTENT=true` (docs/discord-setup.md)."
)
WATCH_ADDED = (
    "Watching <#{channel_id}> ({mode}). A message there that matches a fact-check with at "
    "least {threshold:.0%} confidence gets a card, at most once per fact-check every "
    "{cooldown_hours} hours and {cap} cards an hour."
)
WATCH_ADDED_NO_MODLOG = (
    "\nNo mod-log channel is set yet: notes have nowhere to go until `/settings modlog`."
)
WATCH_REMOVED = "No longer watching <#{channel_id}>."
WATCH_NOT_WATCHED = "<#{channel_id}> is not watched."
WATCH_LIST_EMPTY = "No channel is watched in this server. `/watch add` starts."
WATCH_LIST_LINE = "- <#{channel_id}>: {mode} (since {since})"
WATCH_LIST_UNAVAILABLE = (
    "\n(Watch mode is unavailable right now: no message text reaches this bot.)"
)
WATCH_MODLOG_NOTE = (
    "**Watch:** a message in <#{channel_id}> matches **{question}** "
    "({confidence:.0%} confident): {link}"
)

# --- Helpfulness votes, /stats claims, telling requesters (issue 17) ------------------------

VOTE_HELPFUL_BUTTON = "Helpful"
VOTE_NOT_HELPFUL_BUTTON = "Not helpful"
VOTE_WHY_BUTTON = "Tell us why"
VOTE_IN_SERVER_ONLY = "Votes are counted per server: use the buttons on an answer in a server."
VOTE_TALLY = "In this server: {helpful} found it helpful, {not_helpful} did not."
VOTE_HELPFUL_RECORDED = "Thanks: your vote is recorded (helpful). {tally}"
VOTE_HELPFUL_CHANGED = "Your vote is changed to helpful. {tally}"
VOTE_HELPFUL_SAME = "You already found this helpful; your vote stands. {tally}"
VOTE_NOT_HELPFUL_RECORDED = (
    "Thanks: your vote is recorded (not helpful). {tally}\n"
    "You can tell the fact-checkers why (optional), or flag the fact-check as disputed if "
    "you think it is wrong."
)
VOTE_NOT_HELPFUL_CHANGED = (
    "Your vote is changed to not helpful. {tally}\n"
    "You can tell the fact-checkers why (optional), or flag the fact-check as disputed if "
    "you think it is wrong."
)
VOTE_REASON_TITLE = "Why was this not helpful?"
VOTE_REASON_LABEL = "What was missing or unclear? (optional)"
VOTE_REASON_PLACEHOLDER = "For example: it does not answer my question, or a source is dead."
VOTE_REASON_SAVED = "Thanks: your reason is kept with your vote."
VOTE_REASON_EMPTY = "Nothing to add: your vote stands without a reason."
VOTE_REASON_NO_VOTE = (
    'Your vote on this fact-check is no longer "not helpful", so the reason was not kept.'
)

STATS_DESCRIPTION = "Statistics of this server (moderators)."
STATS_CLAIMS_DESCRIPTION = "Most asked and least helpful fact-checks in this server."
STATS_CLAIMS_TITLE = "Fact-checks in this server"
STATS_MOST_ASKED = "Most asked"
STATS_MOST_ASKED_LINE = "{rank}. {question} ({count}×)"
STATS_LEAST_HELPFUL = "Least helpful"
STATS_LEAST_HELPFUL_LINE = "{rank}. {question}: {helpful} of {total} found it helpful ({percent}%)"
STATS_NOTHING = "Nothing yet."
STATS_FOOTER = (
    "Least helpful ranks by a Bayesian average: each fact-check's share is pulled towards "
    "the server's by {weight} votes, so one vote does not outrank forty."
)
STATS_GONE = "{claim_id} (no longer in the library)"
FLAG_HELPFUL_FIELD = "Helpful votes here"
FLAG_HELPFUL_VALUE = "{helpful} of {total} found it helpful ({percent}%)"
FLAG_HELPFUL_NONE = "no votes yet"
DIGEST_LEAST_HELPFUL = "Least helpful this period"
DIGEST_LEAST_HELPFUL_LINE = "• {question}: {helpful} of {total} helpful"

NOTIFY_CHANNEL_CONTENT = "{mention} the fact-check you asked for is ready."
NOTIFY_DM_CONTENT = "The fact-check you asked for in **{server}** is ready."
NOTIFY_ASKED = "You asked:\n> {question}"
NOTIFY_OPEN_BUTTON = "Read the fact-check"
NOTIFY_FOOTER = "factdesk · request #{request_id}"
REQ_NOTIFY_OPTION = "Tell me when a fact-check answers it (default: yes)."
REQ_NO_NOTIFY_NOTE = " You will not be notified."
SETTINGS_NOTIFY_DESCRIPTION = "How members are told their requested fact-check exists."
SETTINGS_NOTIFY_MODE_OPTION = "In the channel where they asked, by DM, or not at all."
SETTINGS_NOTIFY_CHOICES = {
    "channel": "Reply in the channel where they asked",
    "dm": "Direct message",
    "off": "Do not notify",
}
SETTINGS_NOTIFY_SET = {
    "channel": (
        "Members who request a fact-check will be told in the channel where they asked "
        "(only they are pinged)."
    ),
    "dm": "Members who request a fact-check will be told by direct message.",
    "off": "Members will not be told when their requested fact-check exists.",
}
FOLLOW_UP_NO_BUTTON = " *(no room for a button: ask it with /factcheck)*"
FOLLOW_UPS_MORE = "…and {count} more follow-up questions."
CHECKED_ON_CORRECTED_VALUE = "{checked_on} · Updated on {updated_on}"
DIGEST_CORRECTIONS = "Updated fact-checks"
DIGEST_CORRECTION_VERDICT = "• {question}: verdict {old} → {new}"
DIGEST_CORRECTION_SUMMARY = "• {question}: the summary was revised"
DIGEST_NO_VERDICT = "none"
