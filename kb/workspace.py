"""One content root with its data files loaded on demand: the engine's front door."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from kb.config import Config, load_config
from kb.documents import Collection, load_collection
from kb.metrics import MetricTree, load_metric_tree
from kb.problems import Taxonomy, load_taxonomy


@dataclass
class Workspace:
    config: Config

    @classmethod
    def open(cls, root=None) -> Workspace:
        return cls(load_config(root))

    @cached_property
    def metrics(self) -> MetricTree:
        return load_metric_tree(self.config.data_file("metrics.yaml"))

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.config.data_file("problems.yaml"), self.metrics)

    def collection(self) -> Collection:
        """All documents, read fresh from disk (the files are the source of truth)."""
        return load_collection(self.config, self.taxonomy, self.metrics)
