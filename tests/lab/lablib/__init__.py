"""labctl's package: builds and manages the lab hosts (see ../DESIGN.md).

Runs on the controller as root, Python 3.11 standard library only.
"""
