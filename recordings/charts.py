"""Server-rendered charts: plain numbers in, SVG coordinates out (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 34, 14, 12, 28
SCORE_MIN, SCORE_MAX = -5.0, 5.0


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: str
    dots: list[tuple[float, float, float]]


def _x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    return LEFT + (plot / 2 if count == 1 else index * plot / (count - 1))


def _y(score: float) -> float:
    clamped = max(SCORE_MIN, min(SCORE_MAX, score))
    return TOP + (SCORE_MAX - clamped) / (SCORE_MAX - SCORE_MIN) * (HEIGHT - TOP - BOTTOM)


def _series(key: str, label: str, scores: list[float]) -> Series | None:
    if not scores:
        return None
    dots = [(round(_x(i, len(scores)), 1), round(_y(s), 1), s) for i, s in enumerate(scores)]
    return Series(key, label, " ".join(f"{x},{y}" for x, y, _ in dots), dots)


def sentiment_quarters(agent: list[float], customer: list[float], *, agent_label: str, customer_label: str):
    """Geometry for `recordings/_sentiment_chart.html`, or None when there is nothing to draw."""
    series = [s for s in (_series("agent", agent_label, agent), _series("customer", customer_label, customer)) if s]
    if not series:
        return None
    count = max(len(agent), len(customer))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "series": series,
        "grid": [{"score": v, "y": round(_y(v), 1)} for v in (5, 0, -5)],
        "quarters": [{"label": f"Q{i + 1}", "x": round(_x(i, count), 1)} for i in range(count)],
        "label_y": HEIGHT - 8,
    }
