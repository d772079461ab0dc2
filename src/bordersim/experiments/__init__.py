"""Experiments at scale: the uncertainty space from the evidence ledger (:mod:`.factors`), designs
(:mod:`.designs`), executors for local processes and Dask (:mod:`.executors`), resumable point-by-point
sweeps (:mod:`.sweep`) into an atomic Zarr store (:mod:`.store`), and Sobol/Morris sensitivity
(:mod:`.sensitivity`) that ranks the assumptions worth going to find out."""
