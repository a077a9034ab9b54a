"""The community's health on the web: ``/community/`` (a chart and a table for each
figure, with its one-line definition), ``/api/community.json``, and the figures as
Prometheus gauges ``hatbot_community_<skill>_<key>`` for those who graph in Grafana.

The figures come from the skills (``hatbot.figures``), gathered by the app for the
period asked (``?days=30|90|365``); a skill that fails is left out and logged, the
others are shown. The gauges cover the last 30 days and are gathered at most once a
minute, however often /metrics is scraped.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import hatbot.responses as responses
from hatbot.figures import PERIODS, Figure
from hatbot.pages import bar_chart, csv_table, templates

if TYPE_CHECKING:
    from aiohttp import web

Section = tuple[str, list[Figure]]  # a skill's name and its figures
Collect = Callable[[datetime], Awaitable[list[Section]]]
GAUGE_DAYS = 30
# How a section is headed, where a skill's name is not the word people use.
HEADINGS = {"ci": "CI", "hat": "Community Hat"}
GAUGE_EVERY = 60.0  # seconds between two gatherings for /metrics


class Community:
    def __init__(self, collect: Collect, now: Callable[[], datetime], bot_name: str) -> None:
        self._collect = collect
        self._now = now
        self._bot_name = bot_name
        self._gauges: tuple[float, str] | None = None

    async def page(self, request: web.Request) -> web.Response:
        days, problem = _days(request.query)
        sections = await self._collect(self._now() - timedelta(days=days))
        shown = [(skill, HEADINGS.get(skill, skill.capitalize()),
                  [(figure, bar_chart(list(figure.points)) if figure.points else None)
                   for figure in figures]) for skill, figures in sections if figures]
        page = templates().get_template("community.html.j2").render(
            title="Community", bot_name=self._bot_name, days=days, periods=PERIODS,
            problem=problem, sections=shown)
        return responses.html(page, status=400 if problem else 200)

    async def api(self, request: web.Request) -> web.Response:
        days, problem = _days(request.query)
        if problem:
            return responses.json({"error": problem}, status=400)
        sections = await self._collect(self._now() - timedelta(days=days))
        return responses.json({"days": days, "skills": {
            skill: [as_json(figure) for figure in figures] for skill, figures in sections}})

    async def csv(self, request: web.Request) -> web.Response:
        """Every figure, its points and its rows, one line each (long format)."""
        days, problem = _days(request.query)
        if problem:
            return responses.json({"error": problem}, status=400)
        sections = await self._collect(self._now() - timedelta(days=days))
        return responses.csv(as_csv(sections), f"community-{days}-days.csv")

    async def gauges(self) -> str:
        """The figures of the last 30 days in Prometheus' text format (cached a minute)."""
        if self._gauges is not None and time.monotonic() - self._gauges[0] < GAUGE_EVERY:
            return self._gauges[1]
        sections = await self._collect(self._now() - timedelta(days=GAUGE_DAYS))
        text = prometheus_text(sections)
        self._gauges = (time.monotonic(), text)
        return text


def as_json(figure: Figure) -> dict[str, Any]:
    return {"key": figure.key, "title": figure.title, "definition": figure.definition,
            "value": figure.value, "unit": figure.unit,
            "points": [{"label": label, "value": value} for label, value in figure.points],
            "rows": [{"label": label, "value": value} for label, value in figure.rows]}


CSV_COLUMNS = ("skill", "key", "title", "part", "label", "value", "unit")


def as_csv(sections: list[Section]) -> str:
    """A line for each figure's headline value (part ``value``), each point over time
    (``point``, labelled by its week) and each row of its breakdown (``row``)."""
    rows: list[tuple[Any, ...]] = []
    for skill, figures in sections:
        for figure in figures:
            head = (skill, figure.key, figure.title)
            rows.append((*head, "value", "", figure.value, figure.unit))
            rows += [(*head, "point", label, value, figure.unit)
                     for label, value in figure.points]
            rows += [(*head, "row", label, value, figure.unit) for label, value in figure.rows]
    return csv_table(CSV_COLUMNS, rows)


def prometheus_text(sections: list[Section]) -> str:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.registry import Collector

    class Figures(Collector):
        def collect(self) -> Any:
            for skill, figures in sections:
                for figure in figures:
                    name = f"hatbot_community_{skill}_{figure.key}"
                    help_text = f"{figure.definition} (last {GAUGE_DAYS} days)"
                    if figure.rows:
                        family = GaugeMetricFamily(name, help_text, labels=["of"])
                        for label, value in figure.rows:
                            family.add_metric([label], value)
                    else:
                        family = GaugeMetricFamily(name, help_text)
                        if figure.value is not None:
                            family.add_metric([], figure.value)
                    yield family

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Figures())
    return generate_latest(registry).decode()


def _days(params: Mapping[str, str]) -> tuple[int, str | None]:
    text = params.get("days", "90")
    if text.isdigit() and int(text) in PERIODS:
        return int(text), None
    return 90, "days is 30, 90 or 365, e.g. ?days=30"
