"""The installed version of pairing, as its package metadata says."""

from importlib import metadata

VERSION = metadata.version("pairing")
