"""bordersim: simulate, compare and plan the security of a long land border."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bordersim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
