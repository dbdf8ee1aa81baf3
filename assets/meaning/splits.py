"""Writes how the model's own tokenizer (Hugging Face `tokenizers`, from the same package's
tokenizer.json) splits words of a folder of markdown, for Quire's test of its WordPiece
(`src/search/meaning/model.rs`). Run by build.sh.
Usage: splits.py TOKENIZER_JSON FOLDER OUT_TSV
"""

import pathlib
import re
import sys

from tokenizers import Tokenizer


def main():
    tokenizer = Tokenizer.from_file(sys.argv[1])
    tokenizer.no_padding()
    tokenizer.no_truncation()
    words = set()
    for path in sorted(pathlib.Path(sys.argv[2]).rglob("*.md")):
        # Runs of letters and digits, lowercased: words as Quire's search cuts them.
        words.update(w.lower() for w in re.findall(r"[^\W_]+", path.read_text(encoding="utf-8")))
    # Every word that is not plain ASCII, and every third of the others (sorted): enough to
    # cover the splits without a fixture of hundreds of kilobytes.
    ascii_words = sorted(w for w in words if w.isascii())
    chosen = sorted(set(ascii_words[::3]) | {w for w in words if not w.isascii()})
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        out.write("# word\tits tokens, as the model's own tokenizer splits it (splits.py)\n")
        for word in chosen:
            tokens = tokenizer.encode(word, add_special_tokens=False).tokens
            tokens = [t for t in tokens if t != "[UNK]"] if "[UNK]" not in tokens else []
            out.write(f"{word}\t{' '.join(tokens)}\n")


if __name__ == "__main__":
    main()
