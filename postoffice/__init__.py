"""postoffice: AWS messaging and integration services on your own machine."""

__version__ = "0.1.0"
