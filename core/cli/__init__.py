"""The ``gestes`` command line: ``main`` builds it, ``common`` holds the plumbing."""
