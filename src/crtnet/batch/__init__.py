"""Archive-scale batches on Dask distributed: millions of inputs, resumable, sharded outputs.

``run_archive(inputs, ArchiveConfig(...))`` is what ``crtnet digitize --dask`` and
``crtnet predict --dask`` call; see docs/SCALE.md.
"""

from crtnet.batch.archive import ArchiveConfig, run_archive
from crtnet.batch.inputs import iter_inputs, read_list
from crtnet.batch.shard import shard_of

__all__ = ["ArchiveConfig", "iter_inputs", "read_list", "run_archive", "shard_of"]
