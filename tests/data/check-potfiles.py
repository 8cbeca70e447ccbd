#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every source file with translatable strings is in po/POTFILES.in, and every
file listed there exists. Usage: check-potfiles.py SOURCE_ROOT"""

import os
import re
import sys

C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:N_|NC_|C_|_)\s*\(')
XML_MARKER = re.compile(r'translatable\s*=\s*"(?:yes|true)"')
SCANNED_DIRS = ('core', 'ui', 'app')


def is_translatable(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    if path.endswith(('.c', '.h')):
        return C_MARKERS.search(text) is not None
    if path.endswith(('.ui', '.xml', '.in')):
        return XML_MARKER.search(text) is not None
    return False


def main():
    root = sys.argv[1]
    listed = []
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.append(line)

    failures = []
    for name in listed:
        if not os.path.isfile(os.path.join(root, name)):
            failures.append(f'po/POTFILES.in lists {name}, which does not exist')
    for name in sorted(set(n for n in listed if listed.count(n) > 1)):
        failures.append(f'po/POTFILES.in lists {name} more than once')

    listed_set = set(listed)
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                name = os.path.relpath(path, root).replace(os.sep, '/')
                if is_translatable(path) and name not in listed_set:
                    failures.append(f'{name} has translatable strings but is not in po/POTFILES.in')

    print('1..1')
    if failures:
        for failure in failures:
            print(f'# {failure}')
        print('not ok 1 /semper/data/potfiles')
        return 1
    print(f'# {len(listed)} files listed')
    print('ok 1 /semper/data/potfiles')
    return 0


if __name__ == '__main__':
    sys.exit(main())
