"""What the check tests share: a bad and a good spec, and the schemas of the CI formats
rfcalc writes (to read them back)."""

from __future__ import annotations

#: two stacked dilation-2 convs: RF201 on line 4 (and RF203)
BAD = """\
rfcalc: 1
input: {size: [64, 64]}
layers:
  - {name: d1, op: conv, kernel: 3, dilation: 2, padding: same}
  - {name: d2, op: conv, kernel: 3, dilation: 2, padding: same}
"""
GOOD = """\
rfcalc: 1
input: {size: [64, 64]}
layers:
  - {name: c1, op: conv, kernel: 3, padding: 1}
"""

#: GitLab's code quality report, as its documentation lists the fields it reads
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
