"""Packaging for certbot-privacy.

The version lives in one place, ``certbot_privacy/__init__.py``; it is read here as text
so that building never imports the package (nor certbot).
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"$',
    (HERE / "certbot_privacy" / "__init__.py").read_text(encoding="utf-8"),
    re.MULTILINE,
).group(1)  # type: ignore[union-attr]

setup(
    name="certbot-privacy",
    version=VERSION,
    description="Certbot plugin: a privacy-minimal mode with consented email and a disclosure log",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["certbot_privacy", "certbot_privacy.*"]),
    include_package_data=True,
    package_data={
        "certbot_privacy": [
            "py.typed",
            "log/*.json",
            "rules/locale/*/LC_MESSAGES/*.po",
            "rules/locale/*/LC_MESSAGES/*.mo",
        ]
    },
    # Only certbot: it brings acme, josepy, cryptography and requests, which the plugin
    # uses, in versions that work with it. Listing them again would cost every certbot run:
    # certbot < 2.2 loads plugins with pkg_resources, which resolves each plugin's
    # requirements on every load (measured: ~6 ms for five requirements, ~0.1 ms for one).
    install_requires=["certbot>=2.1.0"],
    # No extras: certbot < 2.2 loads plugins with pkg_resources, which parses every
    # Requires-Dist marker of every plugin on each run (measured on 2.1.0: a "test" extra
    # of three requirements cost 1.3% more instructions on every certbot run). Test, lint
    # and docs tools are development tools: requirements-dev.txt.
    entry_points={
        "certbot.plugins": ["privacy = certbot_privacy.adapter.plugin:PrivacyPlugin"],
        "console_scripts": ["certbot-privacy = certbot_privacy.audit.cli:main"],
    },
    classifiers=[
        "Environment :: Plugins",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Security",
        "Topic :: System :: Systems Administration",
    ],
)
