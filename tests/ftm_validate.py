"""Validate a FollowTheMoney JSON-lines file with the `followthemoney` library itself; print a JSON summary.

Run by tests/test_ftm.py with the interpreter of its own environment (the library and its dependencies stay out of
the app's .venv): `python tests/ftm_validate.py FILE`. Strict: an entity fails when FtM does not know a property,
when a required property is missing, when FtM's own cleaning would change or drop a value (so the file is already
clean: `cleaned=True` readers take it as it is), or when it names an entity the file does not hold.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from followthemoney import model
from followthemoney.exc import InvalidData


def main(path: str) -> dict:
    errors, counts, ids, refs, contracts, missing = [], Counter(), set(), [], {}, Counter()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            data = json.loads(line)
            where = f"line {number} ({data.get('schema')} {data.get('id')})"
            try:
                proxy = model.get_proxy(data, cleaned=False)  # re-parses and cleans every value
                proxy.schema.validate(data)
            except InvalidData as error:
                errors.append(f"{where}: {error}")
                continue
            given = {name: sorted(values) for name, values in data["properties"].items()}
            cleaned = {name: sorted(values) for name, values in proxy.to_dict()["properties"].items()}
            if given != cleaned:
                changed = sorted(name for name in set(given) | set(cleaned) if given.get(name) != cleaned.get(name))
                errors.append(f"{where}: FtM cleans {changed}: {[(given.get(n), cleaned.get(n)) for n in changed]}")
            for name in proxy.schema.required:
                if not proxy.get(name):
                    errors.append(f"{where}: required {name} missing")
            for name in ("sourceUrl", "publisher", "retrievedAt"):
                if not proxy.get(name):
                    missing[f"{proxy.schema.name}.{name}"] += 1
            if proxy.id in ids:
                errors.append(f"{where}: id repeated")
            ids.add(proxy.id)
            counts[proxy.schema.name] += 1
            refs += [(where, name, value) for name, value in proxy.itervalues() if name.type.name == "entity"]
            if proxy.schema.name == "Contract":
                contracts[proxy.id] = proxy.get("sourceUrl")
    errors += [
        f"{where}: {prop.name} names {value}, not in the file" for where, prop, value in refs if value not in ids
    ]
    return {
        "counts": dict(counts),
        "errors": errors[:50],
        "error_count": len(errors),
        "missing": dict(missing),
        "contracts": contracts,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
