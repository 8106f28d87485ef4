"""provrisk: flag human-rights risk features in cybercrime and surveillance legislation, provision by provision."""

__version__ = "0.3.0"
