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
            "schema/*.json",
            "locale/*/LC_MESSAGES/*.po",
            "locale/*/LC_MESSAGES/*.mo",
        ]
    },
    # Only what certbot itself already brings: the plugin adds no dependency of its own.
    install_requires=["certbot>=2.1.0", "acme>=2.1.0", "josepy", "cryptography", "requests"],
    extras_require={
        "test": ["pytest>=7", "hypothesis>=6", "jsonschema>=4"],
        "lint": ["mypy>=1.5", "ruff>=0.4", "types-requests"],
        "docs": ["sphinx>=5"],
    },
    entry_points={
        "certbot.plugins": ["privacy = certbot_privacy.plugin:PrivacyPlugin"],
        "console_scripts": ["certbot-privacy = certbot_privacy._cli:main"],
    },
    classifiers=[
        "Environment :: Plugins",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Security",
        "Topic :: System :: Systems Administration",
    ],
)
