"""The Community Hat: maintenance work (docs, CI, releases, reviews, mentoring) gets an
owner, reminders ask for one where it has none, and idle claims are let go."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from hatbot.context import Context
from hatbot.events import Address, Choice, Person
from hatbot.skill import (
    N_,
    Credit,
    Figure,
    Markup,
    Pane,
    Skill,
    Text,
    command,
    community,
    every,
    format_duration,
    home,
    mention,
    recognition,
    takes,
    tr,
)
from hatbot.skills.hat import reports
from hatbot.skills.hat.models import HatClaim, HatDone, HatTask, HatVolunteer
from hatbot.skills.hat.settings import AREAS, HatConfig


class Hat(Skill[HatConfig]):
    name = "hat"
    config_model = HatConfig
    migrations = Path(__file__).with_name("migrations")

    @property
    def stale(self) -> timedelta:
        return timedelta(days=self.config.stale_days)

    # --- tasks ------------------------------------------------------------------------

    @command("hat add", args="TITLE [every=14d] [area=docs]",
             help=N_("Add a maintenance task (recurring with every=)"),
             examples=["hat add Review the contributor guide area=docs",
                       "hat add Write release notes every=14d area=release"])
    async def add(self, ctx: Context, title: str, *, every: timedelta | None = None,
                  area: str = "other") -> None:
        if area.lower() not in AREAS:
            await ctx.reply(tr("area must be one of {areas} (e.g. {example})",
                               areas=", ".join(AREAS),
                               example=f"{ctx.prefix}hat add Fix docs links area=docs"))
            return
        if every is not None and every < timedelta(days=1):
            await ctx.reply(tr("every= is in days or weeks, e.g. every=14d"))
            return
        task = HatTask(title=title, area=area.lower(), channel=str(ctx.channel),
                       every_days=every.days if every else None, status="open",
                       created_at=ctx.now(), unowned_since=ctx.now())
        ctx.db.add(task)
        await ctx.db.flush()
        claim = f"{ctx.prefix}hat claim {task.id}"
        await ctx.reply(
            tr("Task #{id} added: {title} ({area}, every {days}d). Who wears the hat? {claim}",
               id=task.id, title=title, area=task.area, days=every.days, claim=claim)
            if every else
            tr("Task #{id} added: {title} ({area}). Who wears the hat? {claim}",
               id=task.id, title=title, area=task.area, claim=claim))

    @takes("hat.task")
    async def take_task(self, ctx: Context, title: str, area: str, channel: str) -> None:
        """A task another skill found (a knowledge-base draft nobody reviewed): announced
        where it belongs, with a volunteer of its area asked to wear the hat, as the
        digest would."""
        task = HatTask(title=title, area=area if area in AREAS else "other", channel=channel,
                       status="open", created_at=ctx.now(), unowned_since=ctx.now())
        ctx.db.add(task)
        await ctx.db.flush()
        volunteers = list(await ctx.db.scalars(select(HatVolunteer)))
        fit = reports.suggest([task], volunteers).get(task.id)
        claim = f"{ctx.prefix}hat claim {task.id}"
        if not channel:
            return
        where = Address.parse(channel)
        if fit is not None:
            fit.last_suggested_at = ctx.now()
            who = Person(Address.parse(fit.address), fit.name)
            await ctx.say(where, Markup(ctx.translate(N_(
                "Task #{id} added: {title} ({area}). {who}, would you wear the hat? {claim}"
            ), ctx.language_of(where))).format(id=task.id, title=title, area=task.area,
                                               who=mention(who), claim=claim))
        else:
            await ctx.say(where, tr("Task #{id} added: {title} ({area}). {claim}", id=task.id,
                                    title=title, area=task.area, claim=claim))

    @command("hat list", args="[unowned|mine|all]", help=N_("Open tasks (default: all)"),
             examples=["hat list", "hat list unowned", "hat list mine"])
    async def list_(self, ctx: Context, which: str = "all") -> None:
        which = which.lower()
        if which not in ("unowned", "mine", "all"):
            await ctx.reply(tr("Say {command} unowned, mine or all.",
                               command=f"{ctx.prefix}hat list"))
            return
        tasks = await self._open(ctx)
        now = ctx.now()
        if which == "unowned":
            tasks = [t for t in tasks if reports.is_due(t, now)]
        elif which == "mine":
            tasks = [t for t in tasks if t.owner == ctx.sender.identity]
        mine = which == "mine"  # the asker's own: shown to them alone where possible
        if not tasks:
            await ctx.reply(tr("Nothing here. Add work with {command}",
                               command=f"{ctx.prefix}hat add TITLE area=docs"), personal=mine)
            return
        await ctx.reply("\n".join(self._describe(t, now).translated(ctx.language)
                                  for t in tasks), personal=mine)

    @home
    async def worn_by(self, ctx: Context, person: Person) -> list[Pane]:
        now = ctx.now()
        return [Pane(tr("Your Community Hat tasks"),
                     [self._describe(task, now) for task in await self._open(ctx)
                      if task.owner == person.identity])]

    def _describe(self, task: HatTask, now: datetime) -> Text:
        fields = {"id": task.id, "title": task.title, "area": task.area}
        if task.owner:
            return tr("#{id} {title} ({area}): {owner} since {age}", owner=task.owner_name,
                      age=reports.age(now - task.claimed_at), **fields) \
                if task.claimed_at else tr("#{id} {title} ({area}): {owner}",
                                           owner=task.owner_name, **fields)
        if task.due_at and task.due_at > now:
            return tr("#{id} {title} ({area}): next due in {age}",
                      age=reports.age(task.due_at - now), **fields)
        since = task.unowned_since or task.created_at
        return tr("#{id} {title} ({area}): unowned for {age}", age=reports.age(now - since),
                  **fields)

    @command("hat claim", args="ID", help=N_("Wear the Community Hat for a task"),
             examples=["hat claim 3"])
    async def claim(self, ctx: Context, task_id: int) -> None:
        task = await self._task(ctx, task_id)
        if task is None:
            return
        me = ctx.sender.identity
        now = ctx.now()
        if task.owner and task.owner != me:
            await ctx.reply(tr("#{id} is worn by {owner} already.", id=task.id,
                               owner=task.owner_name))
            return
        if task.owner == me:
            task.last_activity_at, task.nudged_at = now, None
            await ctx.reply(tr("Noted: you are still on #{id}. Thanks!", id=task.id))
            return
        self._own(task, me, str(ctx.sender.address), ctx.sender.name, now)
        ctx.db.add(HatClaim(task_id=task.id, who=me, at=now, waited_seconds=int(
            (now - (task.unowned_since or task.created_at)).total_seconds())))
        await ctx.reply(tr("{name} is wearing the Community Hat for #{id} {title}. Thank you!",
                           name=ctx.sender.name, id=task.id, title=task.title))

    @staticmethod
    def _own(task: HatTask, who: str, address: str, name: str, now: datetime) -> None:
        task.owner, task.owner_address, task.owner_name = who, address, name
        task.claimed_at = task.last_activity_at = now
        task.nudged_at = None

    @staticmethod
    def _disown(task: HatTask, now: datetime) -> None:
        task.owner = task.owner_address = task.owner_name = None
        task.claimed_at = task.last_activity_at = task.nudged_at = None
        task.unowned_since = now

    @command("hat release", args="ID", help=N_("Take the hat off: the task is unowned again"),
             examples=["hat release 3"])
    async def release(self, ctx: Context, task_id: int) -> None:
        task = await self._task(ctx, task_id)
        if task is None:
            return
        if task.owner != ctx.sender.identity and not ctx.is_admin():
            await ctx.reply(tr("Only the owner or an admin can release #{id}.", id=task.id))
            return
        self._disown(task, ctx.now())
        await ctx.reply(tr("#{id} {title} is unowned again.", id=task.id, title=task.title))

    @command("hat done", args="ID [NOTE]", help=N_("Mark a task done (recurring ones come back)"),
             examples=["hat done 3", "hat done 3 published on the blog"])
    async def done(self, ctx: Context, task_id: int, note: str = "") -> None:
        task = await self._task(ctx, task_id)
        if task is None:
            return
        now = ctx.now()
        me = ctx.sender.identity
        if task.owner and task.owner != me and not ctx.is_admin():
            # The credit goes to whoever did the work: the wearer says when it is done.
            await ctx.reply(tr("#{id} is worn by {owner}: only they or an admin can mark it "
                               "done.", id=task.id, owner=task.owner_name))
            return
        ctx.db.add(HatDone(task_id=task.id, area=task.area, who=me, who_name=ctx.sender.name,
                           at=now, note=note))
        volunteer = await ctx.db.get(HatVolunteer, me)
        if volunteer is not None:
            volunteer.last_hat_at = now
        if task.every_days:
            self._disown(task, now)
            task.due_at = task.unowned_since = now + timedelta(days=task.every_days)
            await ctx.reply(tr("Done: #{id} {title}, by {name}. Thank you! It comes back in "
                               "{days}d.", id=task.id, title=task.title, name=ctx.sender.name,
                               days=task.every_days))
            return
        task.status = "done"
        await ctx.reply(tr("Done: #{id} {title}, by {name}. Thank you!", id=task.id,
                           title=task.title, name=ctx.sender.name))

    @command("hat assign", args="ID PERSON", admin=True, help=N_("Give a task to someone"),
             examples=["hat assign 3 irc:alice", "hat assign 3 alice"])
    async def assign(self, ctx: Context, task_id: int, person: str) -> None:
        address = ctx.address(person)
        task = await self._task(ctx, task_id)
        if task is None:
            return
        self._own(task, str(address), str(address), address.id, ctx.now())
        await ctx.reply(tr("#{id} {title} is now worn by {owner}.", id=task.id,
                           title=task.title, owner=address.id))

    @command("hat drop", args="ID", admin=True, help=N_("Remove a task"), examples=["hat drop 3"])
    async def drop(self, ctx: Context, task_id: int) -> None:
        task = await self._task(ctx, task_id)
        if task is not None:
            task.status = "dropped"
            await ctx.reply(tr("Dropped #{id} {title}.", id=task.id, title=task.title))

    async def _task(self, ctx: Context, task_id: int) -> HatTask | None:
        task = await ctx.db.get(HatTask, task_id)
        if task is None or task.status != "open":
            await ctx.reply(tr("There is no open task #{id}; {command} shows them.", id=task_id,
                               command=f"{ctx.prefix}hat list"))
            return None
        return task

    async def _open(self, ctx: Context) -> list[HatTask]:
        return list(await ctx.db.scalars(select(HatTask).where(HatTask.status == "open")
                                         .order_by(HatTask.id)))

    # --- volunteers -------------------------------------------------------------------

    @command("hat volunteer", args="[AREA…]",
             help=N_("Be suggested when tasks (in these areas) need someone"),
             examples=["hat volunteer", "hat volunteer docs ci"])
    async def volunteer(self, ctx: Context, areas: list[str] | None = None) -> None:
        wanted = sorted({a.lower() for a in areas or []})
        unknown = [a for a in wanted if a not in AREAS]
        if unknown:
            await ctx.reply(tr("Unknown area {unknown}; areas: {areas}.",
                               unknown=", ".join(unknown), areas=", ".join(AREAS)))
            return
        me = ctx.sender.identity
        row = await ctx.db.get(HatVolunteer, me) or HatVolunteer(person=me)
        row.address, row.name, row.areas, row.active = str(ctx.sender.address), \
            ctx.sender.name, " ".join(wanted), True
        ctx.db.add(row)
        await ctx.reply(tr("Thank you! You will be suggested for {areas}.",
                           areas=", ".join(wanted)) if wanted else
                        tr("Thank you! You will be suggested for every area."))

    @command("hat unvolunteer", help=N_("Stop being suggested"))
    async def unvolunteer(self, ctx: Context) -> None:
        row = await ctx.db.get(HatVolunteer, ctx.sender.identity)
        if row is not None:
            row.active = False
        await ctx.reply(tr("You will not be suggested any more."))

    # --- reminders --------------------------------------------------------------------

    @command("hat remind", help=N_("Post the reminder digest here, now"))
    async def remind_now(self, ctx: Context) -> None:
        text, choices = await self._digest(ctx, (), ctx.language)
        if text:
            await ctx.reply(text, choices=choices)
        elif await ctx.db.scalar(select(HatTask.id).limit(1)) is None:
            await ctx.reply(tr("There are no tasks yet. Add one with {command}.",
                               command=f"{ctx.prefix}hat add TITLE"))
        else:
            await ctx.reply(tr("Every task has an owner. Nothing to remind about!"))

    @every(config_key="reminders")
    async def remind(self, ctx: Context, channel: str,
                     areas: list[str] | None = None) -> None:
        where = Address.parse(channel)
        text, choices = await self._digest(ctx, areas or (), ctx.language_of(where))
        if text:  # an empty digest is not posted
            await ctx.say(where, text, choices=choices)

    async def _digest(self, ctx: Context, areas: tuple[str, ...] | list[str], language: str
                      ) -> tuple[str, list[Choice]]:
        """The digest's text in ``language``, and a Claim choice for each task that needs
        an owner (a reaction means Claim only where there is one such task)."""
        def _(message: str) -> Markup:
            return Markup(ctx.translate(message, language))

        now = ctx.now()
        found = reports.digest(await self._open(ctx), now, self.stale, areas)
        if found.empty:
            return "", []
        volunteers = list(await ctx.db.scalars(select(HatVolunteer)))
        suggestions = reports.suggest(found.tasks, volunteers)
        for volunteer in suggestions.values():
            volunteer.last_suggested_at = now

        def line(task: HatTask, state: str) -> Markup:
            text = _(N_("- #{id} {title} ({area}), {state}")).format(
                id=task.id, title=task.title, area=task.area, state=state)
            fit = suggestions.get(task.id)
            if fit is not None:
                who = Person(Address.parse(fit.address), fit.name)
                text += _(N_(" — {who}, would you wear the hat?")).format(who=mention(who))
            return text

        lines = [_(N_("**Community Hat**: these need someone."))]
        lines += [line(t, _(N_("unowned for {age}")).format(
            age=reports.age(now - (t.unowned_since or t.created_at)))) for t in found.unowned]
        lines += [line(t, _(N_("due (every {days}d)")).format(days=t.every_days))
                  for t in found.due]
        lines += [line(t, _(N_("{owner} has been quiet for {age}")).format(
            owner=t.owner_name or "", age=reports.age(now - (t.last_activity_at or now))))
                  for t in found.stale]
        lines += [Markup(""), _(N_("Take one with {command}.")).format(
            command=f"{ctx.prefix}hat claim ID")]
        claimable = found.unowned + found.due
        choices = [Choice(tr("Claim #{id}", id=task.id), f"{ctx.prefix}hat claim {task.id}",
                          emoji=self.config.claim_emoji if len(claimable) == 1 else "")
                   for task in claimable]
        return Markup("\n").join(lines), choices

    @every(cron="7 * * * *")  # hourly
    async def check_claims(self, ctx: Context) -> None:
        """Ask quiet owners whether they are still on it; let go of claims left too long."""
        now = ctx.now()
        release = timedelta(days=self.config.release_days)
        for task in await self._open(ctx):
            if task.owner is None or task.last_activity_at is None:
                continue
            quiet = now - task.last_activity_at
            if quiet >= release:
                name = task.owner_name
                self._disown(task, now)
                await ctx.say(Address.parse(task.channel), tr(
                    "#{id} {title} was claimed by {name} with no activity for {days}d, so it "
                    "is unowned again. Who takes it? {command}", id=task.id, title=task.title,
                    name=name, days=quiet.days, command=f"{ctx.prefix}hat claim {task.id}"))
            elif quiet >= self.stale and task.nudged_at is None and task.owner_address:
                task.nudged_at = now
                await ctx.dm(Address.parse(task.owner_address), tr(
                    "Are you still on #{id} {title}? Say {claim} to keep it, or {release} to "
                    "let someone else wear the hat. (Quiet for {days}d.)", id=task.id,
                    title=task.title, claim=f"{ctx.prefix}hat claim {task.id}",
                    release=f"{ctx.prefix}hat release {task.id}", days=quiet.days))

    # --- stats ------------------------------------------------------------------------

    @community
    async def figures(self, ctx: Context, since: datetime) -> list[Figure]:
        now = ctx.now()
        unowned = list(await ctx.db.execute(select(HatTask.area, HatTask.unowned_since,
                                                   HatTask.created_at).where(
            HatTask.status == "open", HatTask.owner.is_(None))))
        done = list(await ctx.db.scalars(select(HatDone).where(HatDone.at >= since)))
        ages = sorted((now - (waiting or created)).total_seconds() / 86400
                      for _, waiting, created in unowned)
        return [
            Figure("unowned", "Tasks without an owner", "Maintenance tasks open with nobody "
                   "on them now, per area", len(unowned),
                   rows=[(area, sum(1 for a, _, _ in unowned if a == area)) for area in AREAS
                         if any(a == area for a, _, _ in unowned)]),
            Figure("unowned_days", "Longest without an owner",
                   "Days the longest-waiting open task has gone without an owner",
                   round(ages[-1], 1) if ages else None, "days"),
            Figure("done", "Tasks done", "Maintenance tasks done in the period, per area",
                   len(done), rows=[(area, sum(1 for d in done if d.area == area))
                                    for area in AREAS if any(d.area == area for d in done)]),
            Figure("absence_factor", "Contributor Absence Factor",
                   "The fewest people who did half the work done in the period, per area "
                   "(CHAOSS; 1 is a risk)", reports.absence_factor([d.who for d in done]),
                   rows=[(area, reports.absence_factor([d.who for d in done if d.area == area]))
                         for area in AREAS if any(d.area == area for d in done)]),
        ]

    @recognition
    async def credits(self, ctx: Context, since: datetime) -> list[Credit]:
        """Community Hat tasks done, per area, by who did them."""
        rows = await ctx.db.execute(select(HatDone.who_name, HatDone.area, func.count())
                                    .where(HatDone.at >= since)
                                    .group_by(HatDone.who_name, HatDone.area))
        return [Credit(name, f"hat_done_{area}", f"Community Hat tasks done ({area})", n)
                for name, area, n in rows]

    @command("hat stats", help=N_("Work done per area, time unowned, and who carries it"))
    async def stats(self, ctx: Context) -> None:
        since = ctx.now() - timedelta(days=90)
        done = list(await ctx.db.scalars(select(HatDone).where(HatDone.at >= since)))
        claims = list(await ctx.db.scalars(select(HatClaim).where(HatClaim.at >= since)))
        per_area = {area: sum(1 for d in done if d.area == area) for area in AREAS}
        areas = ", ".join(f"{a} {n}" for a, n in per_area.items() if n) or \
            ctx._("nothing yet")
        wait = reports.median_wait([c.waited_seconds for c in claims])
        factor = reports.absence_factor([d.who for d in done])
        risk = ctx._(" — a risk: one person carries half of it") if factor == 1 else ""
        await ctx.reply(ctx._(
            "Last 90 days: {done} tasks done ({areas}). Median time unowned: {wait}. "
            "Contributor Absence Factor: {factor}{risk}.").format(
                done=len(done), areas=areas,
                wait=format_duration(wait) if wait else ctx._("no claims yet"),
                factor=factor, risk=risk))
