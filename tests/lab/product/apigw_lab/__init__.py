"""apigw_lab: the lab's stand-in for the Axway API Gateway upgrade tooling.

Runs on lab hosts with /usr/bin/python3, standard library only, Python 3.6 syntax.
Ground truth: the vendor pages in shared/reference/vendor-docs/ (cited by file name, e.g.
"upgrade_script.md") and shared/spec/product-contract.md ("contract §N"); lab choices are in
tests/lab/DESIGN.md.
"""
