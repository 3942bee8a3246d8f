"""cowork: live co-creation workshops for labour-market integration."""

__version__ = "0.1.0"
