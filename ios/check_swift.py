"""Parse Swift files with tree-sitter-swift and report syntax errors.

There is no Swift compiler on the project's Linux machines, so this is the check that
runs there (ios/check-swift.sh): it finds syntax errors, not type errors. The grammar
misreads a few valid constructs in UniFFI's output: every `@_documentation(...)`
attribute (ENVIRONMENT.md), which `--known` discounts by its text, and one `{ () }`.
So generated files are held to a recorded count of the rest ("no new errors"), ours to
zero.

    check_swift.py [--baseline N] [--known PREFIX]... FILE...
"""

import argparse
import sys

import tree_sitter_swift
from tree_sitter import Language, Parser


def errors(parser, path):
    """(line, column, text) of every ERROR or MISSING node, outermost only."""
    source = open(path, "rb").read()
    found = []
    stack = [parser.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
            found.append((node.start_point[0] + 1, node.start_point[1] + 1, text.splitlines()[0][:60] if text else "(missing)"))
            continue
        stack.extend(node.children)
    return sorted(found)


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--baseline", type=int, default=0, help="other errors allowed in total")
    args.add_argument("--known", action="append", default=[], help="text that starts a known false error")
    args.add_argument("files", nargs="+")
    opts = args.parse_args()

    parser = Parser(Language(tree_sitter_swift.language()))
    known = other = 0
    for path in opts.files:
        for line, col, text in errors(parser, path):
            if any(text.startswith(k) for k in opts.known):
                known += 1
                continue
            other += 1
            print(f"{path}:{line}:{col}: parse error near: {text}")
    print(f"{len(opts.files)} files: {other} parse errors (baseline {opts.baseline}), {known} known grammar gaps")
    if other < opts.baseline:
        print(f"fewer than the baseline: lower it to {other}")
    return 0 if other <= opts.baseline else 1


if __name__ == "__main__":
    sys.exit(main())
