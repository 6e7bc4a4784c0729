"""Build glue that pyproject.toml cannot express (everything else is in pyproject.toml).

The shipped data stays in the top-level ``seeds/`` and ``schemas/`` folders of the source
tree; the wheel carries them as the data-only packages ``txmon_seeds`` and
``txmon_schemas`` (found at run time by ``txmon.shipped``). A package-dir mapping needs the
package list written out, which ``[tool.setuptools.packages.find]`` cannot combine with.
"""

from setuptools import find_packages, setup

DATA = {"txmon_seeds": "seeds", "txmon_schemas": "schemas"}
CODE = find_packages(include=["txmon*", "ingest*", "enrich*", "rules*", "alerts*",
                              "screening*"])

setup(
    packages=[*CODE, *DATA],
    package_dir=DATA,
    # the console's templates and static files ship in the wheel (no Node.js, no CDN)
    package_data={"txmon": ["py.typed"], "screening.console": ["templates/*.html", "static/*"],
                  **{name: ["**/*"] for name in DATA}},
)
