"""A deterministic, believable Amazon Connect instance for demos, tests and benchmarks.

`generate_instance(now=...)` yields every S3 object such an instance would have written
(contact records in Firehose batches, Contact Lens analyses, call recordings), and
`demo_directory(seed)` describes its hierarchy, agents, queues and routing profiles.
`demo.loader` writes it into S3 and ingests it; the `load_demo` and `demo_code`
commands are its command-line face.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from demo.directory import Directory, demo_directory

if TYPE_CHECKING:
    from demo.generate import DemoObject, generate_instance

__all__ = ["DemoObject", "Directory", "demo_directory", "generate_instance"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `python -m demo.generate` does not load the
    # module twice (once as the package's attribute, once as __main__).
    if name in ("DemoObject", "generate_instance"):
        from demo import generate

        return getattr(generate, name)
    raise AttributeError(f"module 'demo' has no attribute {name!r}")
