#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest parses as JSON, names the app id and builds the source
tree with meson. Usage: check-flatpak.py MANIFEST APP_ID"""

import json
import sys


def main():
    manifest_path, app_id = sys.argv[1], sys.argv[2]
    checks = []

    with open(manifest_path, encoding='utf-8') as f:
        manifest = json.load(f)

    checks.append(('app id', manifest.get('id', manifest.get('app-id')) == app_id))
    checks.append(('GNOME runtime', manifest.get('runtime') == 'org.gnome.Platform'
                   and manifest.get('sdk') == 'org.gnome.Sdk'))
    checks.append(('command', manifest.get('command') == 'semper-wallet'))
    modules = manifest.get('modules', [])
    last = modules[-1] if modules else {}
    checks.append(('last module is the app, built with meson',
                   last.get('buildsystem') == 'meson'))
    checks.append(('built from the source directory',
                   any(s.get('type') == 'dir' and s.get('path') == '..'
                       for s in last.get('sources', []))))
    finish_args = manifest.get('finish-args', [])
    checks.append(('wayland with X11 fallback', '--socket=wayland' in finish_args
                   and '--socket=fallback-x11' in finish_args))

    print(f'1..{len(checks)}')
    status = 0
    for number, (name, passed) in enumerate(checks, 1):
        path = '/semper/data/flatpak/' + name.replace(' ', '-')
        print(f'{"ok" if passed else "not ok"} {number} {path}')
        if not passed:
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
