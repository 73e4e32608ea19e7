"""fifowin for tests: start the bundled local SQS server, move its clock, list
escaped duplicates, inject faults, reset it. The pytest plugin is `fifowin.pytest_plugin`."""

from fifowin._server import FifowinError, FifowinServer, find_binary

__all__ = ["FifowinError", "FifowinServer", "find_binary"]
