"""Run inside a process whose sys.path starts with a staged tree: the layer contract and the import cycles."""

from __future__ import annotations

import json
import sys

import grimp
from importlinter.cli import lint_imports


def cycles(package: str = "perfdraft") -> list[list[str]]:
    """Strongly connected groups of more than one module (every import cycle), via grimp's import graph."""
    graph = grimp.build_graph(package, include_external_packages=False, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:  # iterative Tarjan: no recursion limit on a deep graph
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


if __name__ == "__main__":
    contract_status = lint_imports(config_filename=sys.argv[1], cache_dir=None, no_cache=True)
    print(json.dumps({"lint_imports": contract_status, "cycles": cycles(),
                      "modules": len(grimp.build_graph("perfdraft", cache_dir=None).modules)}))
