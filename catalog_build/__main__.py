"""`python -m catalog_build`: the command line (cli.py), which leaves without tearing down its heap."""

import logging
import os
import sys

from catalog_build.cli import main

code = main()
# A build leaves hundreds of thousands of objects behind (the catalogue's records, MkDocs' pages).
# Freeing them one by one at exit, as the interpreter would, costs 0.1-0.2 s at 10,000 procedures:
# a tenth of a one-change rebuild. Everything is written by now (files through `with` blocks and
# atomic replaces, worker pools and Pagefind joined); what the exit handlers would still do is
# done here: the record cache's writer waited for (when a command loaded records), logs and
# output flushed.
loader = sys.modules.get("catalog_build.loader")
if loader is not None:
    loader.wait_for_cache_writes()
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
