"""Every county of a province at once, on Dask: :func:`pairing.batch.run.batch`."""

from .run import BATCH_FORMATS, BatchProgress, batch

__all__ = ["BATCH_FORMATS", "BatchProgress", "batch"]
