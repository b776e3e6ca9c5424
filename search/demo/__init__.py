"""A deterministic, believable Amazon Connect instance for demos, tests and benchmarks.

`generate_instance(now=...)` yields every S3 object such an instance would have written
(contact records in Firehose batches, Contact Lens analyses, call recordings), and
`demo_directory(seed)` describes its hierarchy, agents, queues and routing profiles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from search.demo.directory import Directory, demo_directory

if TYPE_CHECKING:
    from search.demo.generate import DemoObject, generate_instance

__all__ = ["DemoObject", "Directory", "demo_directory", "generate_instance"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `python -m search.demo.generate` does not load the
    # module twice (once as the package's attribute, once as __main__).
    if name in ("DemoObject", "generate_instance"):
        from search.demo import generate

        return getattr(generate, name)
    raise AttributeError(f"module 'search.demo' has no attribute {name!r}")
