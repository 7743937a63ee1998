"""The report's one-paragraph summary, and how single figures read."""

from __future__ import annotations

from bot.services import stats
from bot.services.outcomes.figures import OutcomeFigures
from bot.services.outcomes.periods import period_label
from bot.services.pulse import PulseContent
from bot.services.stats import Figure, Share, Withheld

#: The pulse questions the one-paragraph summary mentions, to keep it one paragraph.
SUMMARY_QUESTIONS = ("lonely", "bridging")


def percent(value: float) -> str:
    return str(int(value * 100 + 0.5))


def figure_text(figure: Figure, content: PulseContent) -> str:
    if figure.value is not None:
        return f"{figure.value:,}"
    if figure.withheld is Withheld.SMALL:
        return content.figures("figure.fewer_than", threshold=stats.THRESHOLD)
    return content.figures("figure.not_shown")


def share_text(share: Share, content: PulseContent) -> str | None:
    if share.share is None or share.low is None or share.high is None:
        return None
    return content.figures(
        "figure.share",
        percent=percent(share.share),
        low=percent(share.low),
        high=percent(share.high),
    )


def summary_paragraph(figures: OutcomeFigures, content: PulseContent) -> str:
    """The report's one-paragraph summary: the same figures always give the same text."""
    say = content.summary
    sentences = [
        say(
            "summary.opening",
            period=period_label(figures.period, content),
            active=figure_text(figures.ties.taking_part, content),
            joined=figure_text(figures.participation.joined, content),
        )
    ]
    ties = figures.ties
    tie_share = share_text(ties.members_with_ties, content)
    if tie_share is not None:
        sentences.append(
            say(
                "summary.ties",
                members=figure_text(ties.members_with_ties.count, content),
                share=tie_share,
            )
        )
    elif figures.group_pairs_met or ties.coffee_participants.shown:
        sentences.append(say("summary.ties_withheld"))
    if ties.median_groups_met is not None:
        median = ties.median_groups_met
        sentences.append(say("summary.sectors", median=f"{median:g}"))
    if figures.group_pairs_met:
        sentences.append(say("summary.pairs", pairs=figures.group_pairs_met))
    acts = figures.acts
    if acts.total:
        if acts.with_beneficiary:
            sentences.append(
                say("summary.acts", acts=f"{acts.total:,}", cross=f"{acts.for_other_group:,}")
            )
        else:
            sentences.append(say("summary.acts_no_beneficiary", acts=f"{acts.total:,}"))
    for result in figures.pulse:
        if result.question.key not in SUMMARY_QUESTIONS:
            continue
        if result.headline is None or result.question.headline_label is None:
            continue
        text = share_text(result.headline, content)
        if text is not None:
            sentences.append(
                say(
                    "summary.pulse",
                    share=text,
                    n=figure_text(result.respondents, content),
                    label=result.question.headline_label,
                )
            )
    for change in figures.changes:
        if change.question.key not in SUMMARY_QUESTIONS:
            continue
        before = change.overall.before.share
        after = change.overall.after.share
        if before is None or after is None or change.question.headline_label is None:
            continue
        sentences.append(
            say(
                "summary.pulse_change",
                label=change.question.headline_label,
                before=f"{percent(before)}%",
                after=f"{percent(after)}%",
            )
        )
    sentences.append(say("summary.closing", threshold=stats.THRESHOLD))
    return " ".join(sentences)
