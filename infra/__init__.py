"""Infrastructure as code for AWS (a CDK app) and the catalogue publisher.

jsii runs CDK's JavaScript on the machine's Node; its end-of-life notice for Node 20 is noise in
every synth and test run, so it is silenced here, before any `aws_cdk` import.
"""

import os
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS_DIR = REPO / "functions"
# The Lambda runtime; infra.bundle compiles bytecode for exactly this version.
LAMBDA_PYTHON = (3, 11)
