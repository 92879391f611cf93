"""Puts the chaos suite's neighbours on sys.path: this folder, tests/multihost (the pod
harness it reuses) and clients/python (the client it drives). Imported first by chaos.py
and repro.py; it exports ROOT and HERE."""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for folder in (HERE, os.path.join(ROOT, "tests", "multihost"), os.path.join(ROOT, "clients", "python")):
    if folder not in sys.path:
        sys.path.insert(0, folder)
