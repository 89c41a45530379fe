"""Packaging for certbot-privacy.

The version lives in one place, ``certbot_privacy/__init__.py``; it is read here as text
so that building never imports the package (nor certbot).

With ``SOURCE_DATE_EPOCH`` set, the sdist is reproducible byte for byte (the wheel already
is: ``wheel`` honours the variable); tests/packaging/test_reproducible.py checks both.
"""

import gzip
import io
import os
import re
import stat
import tarfile
from pathlib import Path
from typing import Optional

from setuptools import find_packages, setup
from setuptools.command.sdist import sdist

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"$',
    (HERE / "certbot_privacy" / "__init__.py").read_text(encoding="utf-8"),
    re.MULTILINE,
).group(1)  # type: ignore[union-attr]


class ReproducibleSdist(sdist):  # type: ignore[misc,unused-ignore]
    """``sdist`` whose .tar.gz depends only on the files and ``SOURCE_DATE_EPOCH``.

    setuptools' archive records each file's mtime, the builder's user and group and the
    gzip time of the build. With ``SOURCE_DATE_EPOCH`` set this one has the entries in name
    order, owner root (0/0, no names), modes 0755 (directories, executables) or 0644,
    mtimes clamped to the epoch and the epoch in the gzip header. Without it, or for other
    formats, setuptools' archive as usual.
    """

    def make_archive(
        self,
        base_name: str,
        format: str,
        root_dir: Optional[str] = None,
        base_dir: Optional[str] = None,
        owner: Optional[str] = None,
        group: Optional[str] = None,
    ) -> str:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if format != "gztar" or not epoch or root_dir is not None or base_dir is None:
            return str(super().make_archive(base_name, format, root_dir, base_dir, owner, group))
        clamp = int(epoch)
        paths = [Path(base_dir)]
        paths += sorted(Path(base_dir).rglob("*"), key=lambda p: p.as_posix())
        tar_bytes = io.BytesIO()
        with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in paths:
                info = tar.gettarinfo(str(path), arcname=path.as_posix())
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mtime = min(int(info.mtime), clamp)
                executable = info.isdir() or bool(info.mode & stat.S_IXUSR)
                info.mode = 0o755 if executable else 0o644
                if info.isfile():
                    with path.open("rb") as data:
                        tar.addfile(info, data)
                else:
                    tar.addfile(info)
        archive = f"{base_name}.tar.gz"
        Path(archive).parent.mkdir(parents=True, exist_ok=True)
        with (
            open(archive, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=clamp) as compressed,
        ):
            compressed.write(tar_bytes.getvalue())
        return archive


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
            "_internal/log/*.json",
            "_internal/rules/*.json",
            "_internal/rules/locale/*/LC_MESSAGES/*.po",
            "_internal/rules/locale/*/LC_MESSAGES/*.mo",
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
    cmdclass={"sdist": ReproducibleSdist},
    entry_points={
        "certbot.plugins": ["privacy = certbot_privacy._internal.adapter.plugin:PrivacyPlugin"],
        "console_scripts": ["certbot-privacy = certbot_privacy._internal.audit.cli:main"],
    },
    classifiers=[
        "Environment :: Plugins",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Security",
        "Topic :: System :: Systems Administration",
    ],
)
