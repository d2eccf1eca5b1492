"""Confusion counts and the precision, recall and F1 derived from them (shared by evals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Confusion:
    """True/false positives and negatives, summed over whatever is being scored."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0, tn: int = 0) -> None:
        """Add counts (for example one document's) to the totals."""
        self.tp += tp
        self.fp += fp
        self.fn += fn
        self.tn += tn

    @property
    def total(self) -> int:
        """Everything counted."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
