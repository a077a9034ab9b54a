"""The post-incident review an incident (``#startincident`` … ``#endincident``) leaves
behind: a Markdown skeleton with what the log already knows (when, how long, who, the
timeline of ``#status``/``#cause``/``#fix``/``#action`` lines, each at its time since the
start) and the parts only people can write left for them. It goes to the knowledge base
as a draft, to be completed and reviewed there."""

from __future__ import annotations

from datetime import timedelta

from hatbot.skills.meetings.engine import Meeting
from hatbot.skills.meetings.minutes import Minutes

TIMELINE = ("STATUS", "CAUSE", "FIX", "ACTION", "INFO", "AGREED", "LINK")
TO_WRITE = "_To be written._"


def since(delta: timedelta) -> str:
    """``+0:07``, ``+1:32``: hours and minutes since the start."""
    minutes = int(delta.total_seconds() // 60)
    return f"+{minutes // 60}:{minutes % 60:02d}"


def question(meeting: Meeting) -> str:
    return f"Incident {meeting.started_at:%Y-%m-%d}: {meeting.title or 'untitled'}"


def review(meeting: Meeting, bot_name: str, minutes_url: str) -> str:
    """The review's Markdown: summary, timeline, impact, actions."""
    ended = meeting.ended_at or meeting.started_at
    lasted = since(ended - meeting.started_at).lstrip("+")
    of = {kind: [i.text for i in meeting.items if i.kind == kind]
          for kind in ("CAUSE", "FIX")}
    people = sorted({line.nick for line in meeting.lines if not line.is_bot})
    summary = [f"{meeting.title or 'An incident'}: from {meeting.started_at:%H:%M} to "
               f"{ended:%H:%M} UTC on {meeting.started_at:%Y-%m-%d} ({lasted}), led by "
               f"{meeting.starter_nick}, with {', '.join(people)}.",
               f"Cause: {'; '.join(of['CAUSE']) or TO_WRITE}",
               f"Fix: {'; '.join(of['FIX']) or TO_WRITE}"]
    if minutes_url:
        summary.append(f"Minutes and full log: {minutes_url}")
    timeline = [f"- {meeting.started_at:%H:%M} ({since(timedelta())}) started by "
                f"{meeting.starter_nick}"]
    timeline += [f"- {i.ts:%H:%M} ({since(i.ts - meeting.started_at)}) {i.kind.lower()}: "
                 f"{i.text} ({i.nick})" for i in meeting.items if i.kind in TIMELINE]
    timeline.append(f"- {ended:%H:%M} ({since(ended - meeting.started_at)}) ended")
    actions = [f"- [ ] {item.text}" + (f" ({', '.join(who)})" if who else "")
               for item, who in Minutes(meeting, bot_name, log_url="").actions]
    return "\n".join(["## Summary", "", *summary, "", "## Timeline", "", *timeline, "",
                      "## Impact", "", TO_WRITE, "", "## Actions", "",
                      *(actions or ["- [ ] " + TO_WRITE])]) + "\n"
