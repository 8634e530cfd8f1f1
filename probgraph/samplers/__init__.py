"""Compiled HMC/NUTS samplers: numba kernels over flat float64 vectors, Stan's adaptation, parallel chains."""
