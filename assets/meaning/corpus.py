"""The text Quire's model learns from: the prose paragraphs of two projects' documentation
(Django's and SQLAlchemy's, from their PyPI source packages), 6 to 64 words each, shuffled
with a fixed seed. Technical prose about databases, the web, caching and deployment, none of
it from the bundled library that `quire-bench meaning` asks its questions over.

Usage: corpus.py OUT.json DOCS_DIR...
"""

import glob
import json
import random
import re
import sys


def paragraphs(text):
    for para in re.split(r"\n\s*\n", text):
        lines = para.split("\n")
        first = lines[0]
        # Code, directives, tables, quotes and titles are not prose; a list item is.
        if not first.strip():
            continue
        if first.startswith((" ", "\t", "..", "|", "+", "=", "-", "*", ">")) and not re.match(r"^[-*] \w", first):
            continue
        if len(lines) == 2 and re.fullmatch(r"[=\-~^`#*+]+", lines[1].strip() or "="):
            continue
        p = " ".join(line.strip() for line in lines)
        p = re.sub(r":\w+:`([^`<]*?)\s*(<[^>]*>)?`", r"\1", p)  # :role:`text <target>`
        p = re.sub(r"`([^`<]*?)\s*(<[^>]*>)?`_+", r"\1", p)  # `text <url>`_
        p = p.replace("``", "").replace("`", "").replace("**", "").rstrip(":")
        p = re.sub(r"^[-*] ", "", p)
        words = p.split()
        if len(words) >= 6:
            yield " ".join(words[:64])


def main():
    out = []
    for root in sys.argv[2:]:
        files = glob.glob(root + "/**/*.txt", recursive=True) + glob.glob(root + "/**/*.rst", recursive=True)
        for path in sorted(files):
            with open(path, encoding="utf-8", errors="replace") as f:
                out.extend(paragraphs(f.read()))
    random.seed(1)
    random.shuffle(out)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
    print(f"{len(out)} paragraphs", file=sys.stderr)


if __name__ == "__main__":
    main()
