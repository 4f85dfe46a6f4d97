"""A day's reports grouped into stories: average-link clustering over :func:`similarity`.

Average link, not single link: two reports join one story only when the reports of the two
groups are, on average, about the same event. Single link would chain them: a round-up that
mentions both Syrian stories of the day would pull the market strike and the refugee talks
into one story through itself. Deterministic: ties go to the earlier reports.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.stories.similarity import Profile, cosine, idf_of, weighted

__all__ = ["centrality", "group", "matrix"]


def matrix(profiles: Sequence[Profile]) -> list[list[float]]:
    """Pairwise similarity of ``profiles``, weighted by their own document frequencies."""
    idf = idf_of(profiles)
    vectors = [weighted(p, idf) for p in profiles]
    n = len(profiles)
    sims = [[1.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            sims[i][j] = sims[j][i] = cosine(vectors[i], vectors[j])
    return sims


def group(sims: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    """Indices grouped into stories, each story's in order, stories by their first index:
    the two groups with the highest average similarity merge while it is at least
    ``threshold``."""
    groups: list[list[int]] = [[i] for i in range(len(sims))]
    # Sums of the similarities between the reports of two groups: merging A and B, the sum
    # with any C is sum(A, C) + sum(B, C), so no pair of reports is added up twice.
    sums = [list(row) for row in sims]
    while len(groups) > 1:
        best, pair = threshold, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                average = sums[a][b] / (len(groups[a]) * len(groups[b]))
                if average >= best and (pair is None or average > best):
                    best, pair = average, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups[b])
        for c in range(len(groups)):
            sums[a][c] = sums[c][a] = sums[a][c] + sums[b][c]
        del groups[b]
        del sums[b]
        for row in sums:
            del row[b]
    return sorted(groups, key=lambda g: g[0])


def centrality(sims: Sequence[Sequence[float]], members: Sequence[int]) -> list[int]:
    """``members`` from the most central (highest average similarity to the others) to the
    least; ties keep their order."""
    if len(members) < 2:
        return list(members)

    def mean(i: int) -> float:
        return sum(sims[i][j] for j in members if j != i) / (len(members) - 1)

    return sorted(members, key=lambda i: -mean(i))
